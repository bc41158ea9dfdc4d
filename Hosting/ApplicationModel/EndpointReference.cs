using System.Globalization;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>A reference to one endpoint of a resource; renders its address for a consumer's context.</summary>
public sealed class EndpointReference : IValueProvider
{
    /// <summary>Initializes a reference to endpoint <paramref name="endpointName"/> of <paramref name="resource"/>.</summary>
    public EndpointReference(IResourceWithEndpoints resource, string endpointName)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpointName);
        Resource = resource;
        EndpointName = endpointName;
    }

    /// <summary>Gets the resource that owns the endpoint.</summary>
    public IResourceWithEndpoints Resource { get; }

    /// <summary>Gets the endpoint name.</summary>
    public string EndpointName { get; }

    /// <summary>Gets the endpoint's declaration.</summary>
    public EndpointAnnotation Annotation =>
        Resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"Resource '{Resource.Name}' has no endpoint named '{EndpointName}'. Declare it with WithEndpoint or WithHttpEndpoint.");

    /// <inheritdoc/>
    public string ValueExpression => $"{{{Resource.Name}.bindings.{EndpointName}.url}}";

    /// <summary>Gets one part of the address as a value provider.</summary>
    public IValueProvider Property(EndpointProperty property) => new EndpointPropertyValue(this, property);

    /// <summary>Renders one part of the address for <paramref name="context"/>.</summary>
    public string Render(EndpointProperty property, NetworkContext context)
    {
        var endpoint = Annotation;
        var host = context == NetworkContext.Host ? EndpointAnnotation.HostAddress : Resource.Name;
        var port = (context == NetworkContext.Host ? endpoint.HostPort : endpoint.TargetPort).ToString(CultureInfo.InvariantCulture);
        return property switch
        {
            EndpointProperty.Host => host,
            EndpointProperty.Port => port,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            _ => $"{endpoint.Scheme}://{host}:{port}",
        };
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(Render(EndpointProperty.Url, context));

    private sealed class EndpointPropertyValue(EndpointReference endpoint, EndpointProperty property) : IValueProvider
    {
        public string ValueExpression => $"{{{endpoint.Resource.Name}.bindings.{endpoint.EndpointName}.{property.ToString().ToLowerInvariant()}}}";

        public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<string?>(endpoint.Render(property, context));
    }
}
