namespace StackModel.Hosting.ApplicationModel;

/// <summary>The orchestrator probes <c>GET &lt;endpoint&gt;&lt;Path&gt;</c> from the host; the resource is healthy while it answers <see cref="StatusCode"/>.</summary>
public sealed class HttpHealthCheckAnnotation(string path, string endpointName, int statusCode) : IResourceAnnotation
{
    /// <summary>Gets the path probed, e.g. <c>/health/liveliness</c>.</summary>
    public string Path { get; } = path;

    /// <summary>Gets the endpoint probed.</summary>
    public string EndpointName { get; } = endpointName;

    /// <summary>Gets the status code that means healthy.</summary>
    public int StatusCode { get; } = statusCode;
}
