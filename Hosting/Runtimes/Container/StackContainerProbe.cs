using Microsoft.Extensions.DependencyInjection;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Tells resources that choose their runtime (<c>LiteLLM:Runtime=auto</c>) whether they can run as a container on this stack:
/// only when PostgreSQL runs on the stack network too (a container reaches its peers there, never a process on the host's
/// 127.0.0.1), an engine answers, and the image is present locally or was just pulled (<c>Stack:PullPolicy</c>).
/// </summary>
internal sealed class StackContainerProbe(ContainerEngineLocator locator, IServiceProvider services) : IContainerEngineProbe
{
    public bool Answers() =>
        services.GetRequiredService<IPostgresRuntime>().Name == "container"
        && locator.LikelyEngineAsync().GetAwaiter().GetResult() is not null;

    public ImageAvailability EnsureImage(string resourceName, string image)
    {
        if (locator.LikelyEngineAsync().GetAwaiter().GetResult() is not { } engine)
        {
            return new ImageAvailability(false, "no container engine answers");
        }

        var logs = services.GetRequiredService<ResourceLoggerService>();
        return services.GetRequiredService<ContainerStack>()
            .EnsureImageAsync(engine, resourceName, image, (text, isError) => logs.Write(resourceName, text, isError))
            .GetAwaiter().GetResult();
    }
}
