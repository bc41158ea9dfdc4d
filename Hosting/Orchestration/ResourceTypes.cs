using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Orchestration;

internal static class ResourceTypes
{
    public static string Of(IResource resource) => resource switch
    {
        PostgresServerResource => "Postgres",
        PostgresDatabaseResource => "Database",
        ProjectResource => "Project",
        LiteLLM.LiteLLMResource => "LiteLLM",
        ContainerResource => "Container",
        ExecutableResource => "Executable",
        ParameterResource => "Parameter",
        _ => resource.GetType().Name.Replace("Resource", string.Empty, StringComparison.Ordinal),
    };

    public static IReadOnlyList<string> HostUrls(IResource resource) => resource switch
    {
        PostgresDatabaseResource database => [$"{database.Server.Endpoint.Render(EndpointProperty.Url, NetworkContext.Host)}/{database.DatabaseName}"],
        IResourceWithEndpoints withEndpoints => withEndpoints.Annotations.OfType<EndpointAnnotation>()
            .Select(e => new EndpointReference(withEndpoints, e.Name).Render(EndpointProperty.Url, NetworkContext.Host)).ToArray(),
        _ => [],
    };
}
