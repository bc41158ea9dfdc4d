using System.Globalization;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>Wiring shared by every kind of resource: environment, arguments, references, waits, endpoints, health checks.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Sets an environment variable to a literal.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(c => c.EnvironmentVariables[name] = value));
    }

    /// <summary>Sets an environment variable to a value known when the stack runs (endpoint, parameter, expression).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IValueProvider value)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(c => c.EnvironmentVariables[name] = value));
    }

    /// <summary>Sets an environment variable to an interpolated expression over endpoints, parameters and connection properties.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, in ReferenceExpression.ExpressionInterpolatedStringHandler value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(name, ReferenceExpression.Create(value));

    /// <summary>Sets an environment variable to a parameter's value.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(parameter);
        builder.WithAnnotation(new ResourceReferenceAnnotation(parameter.Resource));
        return builder.WithEnvironment(name, (IValueProvider)parameter.Resource);
    }

    /// <summary>Adds command-line arguments (strings or <see cref="IValueProvider"/>s).</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params object[] args)
        where T : IResourceWithArgs
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        foreach (var arg in args)
        {
            if (arg is not (string or IValueProvider))
            {
                throw new ArgumentException($"Argument '{arg}' of '{builder.Resource.Name}' must be a string or a value provider.", nameof(args));
            }
        }

        return builder.WithAnnotation(new CommandLineArgsAnnotation(args));
    }

    /// <summary>
    /// Gives the resource the connection string of <paramref name="source"/> as <c>ConnectionStrings__&lt;name&gt;</c>, and each
    /// connection property as <c>&lt;NAME&gt;_HOST</c>, <c>_PORT</c>, <c>_USERNAME</c>, <c>_PASSWORD</c>, <c>_DATABASENAME</c>, <c>_URI</c>,
    /// rendered for the network context the resource runs in.
    /// </summary>
    /// <param name="builder">The consumer.</param>
    /// <param name="source">The resource connected to.</param>
    /// <param name="connectionName">The name under <c>ConnectionStrings</c>; defaults to the source's name.</param>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        var resource = source.Resource;
        var name = connectionName ?? resource.Name;
        ResourceNames.ThrowIfInvalid(name, nameof(connectionName));
        var prefix = ResourceNames.ToEnvironmentPrefix(name);
        builder.WithAnnotation(new ResourceReferenceAnnotation(resource));
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(c =>
        {
            // A database hands its migration system the migrator role and everyone else the runtime role; decided when rendered,
            // so the order of WithReference and WithMigrations in Program.cs does not matter.
            var perConsumer = resource as IResourceWithConsumerConnection;
            c.EnvironmentVariables[$"ConnectionStrings__{name}"] = perConsumer?.ConnectionStringFor(builder.Resource) ?? resource.ConnectionStringExpression;
            foreach (var (key, value) in perConsumer?.ConnectionPropertiesFor(builder.Resource) ?? resource.ConnectionProperties)
            {
                c.EnvironmentVariables[$"{prefix}_{key}"] = value;
            }

            Postgres.TargetGuardEnvironment.Add(c, resource, name);
        }));
    }

    /// <summary>Gives the resource the URL of another resource's endpoint as <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c> (service discovery) and <c>&lt;NAME&gt;_URL</c>.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, EndpointReference endpoint)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(endpoint);
        builder.WithAnnotation(new ResourceReferenceAnnotation(endpoint.Resource));
        var prefix = ResourceNames.ToEnvironmentPrefix(endpoint.Resource.Name);
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(c =>
        {
            c.EnvironmentVariables[$"services__{endpoint.Resource.Name}__{endpoint.EndpointName}__0"] = endpoint;
            c.EnvironmentVariables[$"{prefix}_URL"] = endpoint;
        }));
    }

    /// <summary>Starts the resource only after <paramref name="dependency"/> is running and healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport => builder.AddWait(dependency, WaitType.WaitUntilHealthy);

    /// <summary>Starts the resource only after <paramref name="dependency"/> has run to completion with exit code 0.</summary>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport => builder.AddWait(dependency, WaitType.WaitForCompletion);

    /// <summary>
    /// Starts the project's process with the stack instead of after what it waits for, held at its start gate: its runtime and
    /// host start up while its dependencies do, and it touches nothing of theirs until the gate opens, once they are ready (the
    /// resource shows Waiting until then). If a dependency fails, or the stack stops first, the process is stopped unopened.
    /// The project must honour the gate: <c>StartGate.WaitAsync</c> of ServiceDefaults, before its first connection.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithStartGate(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Resource.Annotations.OfType<StartGateAnnotation>().Any() ? builder : builder.WithAnnotation(new StartGateAnnotation());
    }

    /// <summary>Declares an endpoint.</summary>
    /// <param name="builder">The resource.</param>
    /// <param name="port">The host port on 127.0.0.1.</param>
    /// <param name="targetPort">The port the program listens on; defaults to <paramref name="port"/>.</param>
    /// <param name="scheme">The scheme, <c>tcp</c> or <c>http</c>.</param>
    /// <param name="name">The endpoint name; defaults to the scheme.</param>
    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, int port, int? targetPort = null, string scheme = "tcp", string? name = null)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpointName = name ?? scheme;
        if (builder.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == endpointName))
        {
            throw new DistributedApplicationException(
                $"Resource '{builder.Resource.Name}' already has an endpoint named '{endpointName}'. Give the second endpoint another name.");
        }

        return builder.WithAnnotation(new EndpointAnnotation(endpointName, scheme, port, targetPort ?? port));
    }

    /// <summary>Declares an HTTP endpoint.</summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int port, int? targetPort = null, string name = "http")
        where T : IResourceWithEndpoints => builder.WithEndpoint(port, targetPort, "http", name);

    /// <summary>Gets a reference to one of the resource's endpoints.</summary>
    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        return new EndpointReference(builder.Resource, name);
    }

    /// <summary>Makes the resource healthy only while <c>GET &lt;path&gt;</c> on its endpoint answers <paramref name="statusCode"/>.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path, int statusCode = 200, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"Health check path '{path}' must start with '/', e.g. '/health'.", nameof(path));
        }

        return builder.WithAnnotation(new HttpHealthCheckAnnotation(path, endpointName, statusCode));
    }

    private static IResourceBuilder<T> AddWait<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency, WaitType waitType)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dependency);
        if (ReferenceEquals(builder.Resource, dependency.Resource))
        {
            throw new DistributedApplicationException($"Resource '{builder.Resource.Name}' cannot wait for itself.");
        }

        return builder.WithAnnotation(new WaitAnnotation(dependency.Resource, waitType));
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
