using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A test that needs Docker Engine and Podman both answering, each with the postgres:15 image (CI has both: .ci/steps/20-containers.sh
/// and 22-docker.sh). Skipped with the reason on a laptop that lacks one; runs (and fails, saying what is missing) when <c>CI=true</c>.
/// </summary>
public sealed class RequiresDockerAndPodmanFactAttribute : FactAttribute
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ContainerEngineDetection> Detections = new(StringComparer.Ordinal);
    private static readonly Lazy<string?> Missing = new(FindMissing);

    public RequiresDockerAndPodmanFactAttribute()
    {
        if (!TestEnvironment.IsCI && Missing.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Gets why the test cannot run here, or <see langword="null"/>.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>Gets the engine for <paramref name="cli"/> (<c>docker</c> or <c>podman</c>); throws with the reason when it does not answer.</summary>
    internal static ContainerEngine Engine(string cli) =>
        Detect(cli).Engine ?? throw new InvalidOperationException($"{cli} does not answer: {Detect(cli).Reason}");

    private static ContainerEngineDetection Detect(string cli) =>
        Detections.GetOrAdd(cli, c => new ContainerEngineLocator(new StackOptions { ContainerRuntime = c }, NullLogger<ContainerEngineLocator>.Instance).DetectAsync().GetAwaiter().GetResult());

    private static string? FindMissing()
    {
        foreach (var cli in new[] { "docker", "podman" })
        {
            var detection = Detect(cli);
            if (detection.Engine is not { } engine)
            {
                return $"This test needs Docker Engine and Podman, and {cli} does not answer ({detection.Reason}). eng/containers/install-docker.sh and install-podman.sh set them up.";
            }

            if (!engine.RunAsync(["image", "inspect", "--format", "{{.Id}}", ContainerMachine.PostgresImage]).GetAwaiter().GetResult().Succeeded)
            {
                return $"The image {ContainerMachine.PostgresImage} is not present in {cli}: eng/containers/build-images.sh, then eng/containers/docker-load-images.sh.";
            }
        }

        return null;
    }
}
