using Microsoft.Extensions.DependencyInjection;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Tells resources that choose their runtime (<c>LiteLLM:Runtime=auto</c>) whether they can run as a container on this stack:
/// only when PostgreSQL runs on the stack network too (a container reaches its peers there, never a process on the host's
/// 127.0.0.1), an engine answers, and the image is present locally (the stack never pulls).
/// </summary>
internal sealed class StackContainerProbe(ContainerEngineLocator locator, IServiceProvider services) : IContainerEngineProbe
{
    public bool Answers() =>
        services.GetRequiredService<IPostgresRuntime>().Name == "container"
        && locator.LikelyEngineAsync().GetAwaiter().GetResult() is not null;

    public bool HasImage(string image) =>
        locator.LikelyEngineAsync().GetAwaiter().GetResult() is { } engine
        && engine.RunAsync(["image", "inspect", "--format", "{{.Id}}", image], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult().Succeeded;
}
