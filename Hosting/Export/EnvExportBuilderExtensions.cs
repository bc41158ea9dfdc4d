using System.Text.RegularExpressions;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Export;

/// <summary>
/// Declares what tools outside the stack (test scripts, ORMs' CLIs, a shell) read from the environment the AppHost exports:
/// <c>dotnet run --project AppHost -- env</c> prints it, and every start of the stack writes it to <c>.env.stack</c> at the
/// repository root. The values are derived from the model, so they cannot drift from what the stack runs.
/// </summary>
public static partial class EnvExportBuilderExtensions
{
    /// <summary>
    /// Exports a database's address and credentials: <c>&lt;prefix&gt;_HOST</c>, <c>_PORT</c>, <c>_NAME</c>, <c>_USER</c>,
    /// <c>_PASSWORD</c>, and the <c>postgresql://</c> URI as <paramref name="urlVariable"/> (default <c>&lt;prefix&gt;_URL</c>).
    /// Once the database declares a migration system (<c>WithMigrations</c>), those are the runtime role's, and the migrator's are exported
    /// as the same names prefixed with <paramref name="migratorPrefix"/> (<c>MIGRATIONS_DATABASE_URL</c>, <c>MIGRATIONS_DB_USER</c>, ...).
    /// </summary>
    /// <param name="builder">The database.</param>
    /// <param name="prefix">The variables' prefix, e.g. <c>DB</c>.</param>
    /// <param name="urlVariable">The name of the URI variable, e.g. <c>DATABASE_URL</c>; defaults to <c>&lt;prefix&gt;_URL</c>.</param>
    /// <param name="migratorPrefix">What the migrator's variables are prefixed with; default <c>MIGRATIONS</c>.</param>
    /// <remarks>Either role can open this database and no other; only the migrator can change its schema.</remarks>
    public static IResourceBuilder<PostgresDatabaseResource> WithEnvExport(
        this IResourceBuilder<PostgresDatabaseResource> builder, string prefix, string? urlVariable = null, string migratorPrefix = "MIGRATIONS")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ThrowIfInvalidName(prefix, nameof(prefix));
        ThrowIfInvalidName(migratorPrefix, nameof(migratorPrefix));
        var database = builder.Resource;
        var endpoint = database.Server.Endpoint;
        var url = urlVariable ?? $"{prefix}_URL";
        ThrowIfInvalidName(url, nameof(urlVariable));

        // Chosen when rendered: WithMigrations may come after this call in Program.cs.
        builder
            .WithEnvExport(url, new DeferredValue(() => database.UriExpression))
            .WithEnvExport($"{prefix}_HOST", endpoint.Property(EndpointProperty.Host))
            .WithEnvExport($"{prefix}_PORT", endpoint.Property(EndpointProperty.Port))
            .WithEnvExport($"{prefix}_NAME", ReferenceExpression.Literal(database.DatabaseName))
            .WithEnvExport($"{prefix}_USER", new DeferredValue(() => ReferenceExpression.Literal(database.ConsumerRole)))
            .WithEnvExport($"{prefix}_PASSWORD", new DeferredValue(() => database.HasRuntimeRole ? database.RuntimePassword! : database.OwnerPassword));

        bool Split() => database.HasRuntimeRole;
        var migrator = $"{migratorPrefix}_";
        return builder
            .WithAnnotation(new EnvExportAnnotation(migrator + url, database.MigratorUriExpression, Split))
            .WithAnnotation(new EnvExportAnnotation($"{migrator}{prefix}_HOST", endpoint.Property(EndpointProperty.Host), Split))
            .WithAnnotation(new EnvExportAnnotation($"{migrator}{prefix}_PORT", endpoint.Property(EndpointProperty.Port), Split))
            .WithAnnotation(new EnvExportAnnotation($"{migrator}{prefix}_NAME", ReferenceExpression.Literal(database.DatabaseName), Split))
            .WithAnnotation(new EnvExportAnnotation($"{migrator}{prefix}_USER", ReferenceExpression.Literal(database.OwnerRole), Split))
            .WithAnnotation(new EnvExportAnnotation($"{migrator}{prefix}_PASSWORD", database.OwnerPassword, Split));
    }

    /// <summary>Exports the URL of one of a resource's endpoints as <c>&lt;prefix&gt;_URL</c> (e.g. <c>LITELLM_URL</c>).</summary>
    /// <param name="builder">The resource.</param>
    /// <param name="prefix">The variable's prefix, e.g. <c>LITELLM</c>.</param>
    /// <param name="endpointName">The endpoint; default <c>http</c>.</param>
    public static IResourceBuilder<T> WithEnvExport<T>(this IResourceBuilder<T> builder, string prefix, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        ThrowIfInvalidName(prefix, nameof(prefix));
        var endpoint = builder.GetEndpoint(endpointName);
        _ = endpoint.Annotation; // fails now, naming the resource, when the endpoint is not declared
        return builder.WithEnvExport($"{prefix}_URL", endpoint);
    }

    /// <summary>Exports one variable whose value is known when the stack runs (a parameter, an endpoint, an expression).</summary>
    /// <param name="builder">The resource the value belongs to.</param>
    /// <param name="variable">The variable's name: letters, digits and underscores, not starting with a digit.</param>
    /// <param name="value">The value; secrets (parameters marked secret) are written only to files of mode 0600.</param>
    public static IResourceBuilder<T> WithEnvExport<T>(this IResourceBuilder<T> builder, string variable, IValueProvider value)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfInvalidName(variable, nameof(variable));
        return builder.WithAnnotation(new EnvExportAnnotation(variable, value));
    }

    private static void ThrowIfInvalidName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        if (!VariableName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid environment variable name. Use letters, digits and underscores, not starting with a digit (e.g. DB or LITELLM).", parameterName);
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
