using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>How a resource is shown: the type and URLs its kind gives (<see cref="ResourceKindAnnotation"/>).</summary>
internal static class ResourceTypes
{
    public static string Of(IResource resource) => ResourceKindAnnotation.Of(resource).DisplayType;

    public static IReadOnlyList<string> HostUrls(IResource resource) => resource switch
    {
        _ when ResourceKindAnnotation.Of(resource).HostUrls is { } urls => urls(resource),
        IResourceWithEndpoints withEndpoints => withEndpoints.Annotations.OfType<EndpointAnnotation>()
            .Select(e => new EndpointReference(withEndpoints, e.Name).Render(EndpointProperty.Url, NetworkContext.Host)).ToArray(),
        _ => [],
    };
}
