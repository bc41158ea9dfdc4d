using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The container engine and the locally built images the container tests need, and what a test left behind.</summary>
internal static class ContainerMachine
{
    public const string StandInImage = "localhost/stackmodel/litellm-standin";
    public const string StandInTag = "dev";

    /// <summary>The image the stack runs PostgreSQL from (built locally by eng/containers/postgres/build-image.sh).</summary>
    public const string PostgresImage = "docker.io/library/postgres:15";

    /// <summary>The stand-in listens on LiteLLM's default port inside its container.</summary>
    public const int StandInPort = StackModel.Hosting.LiteLLM.LiteLLMResource.DefaultTargetPort;

    private static readonly Lazy<(ContainerEngine? Engine, string? MissingReason)> Detected = new(Detect);

    public static ContainerEngine Engine => Detected.Value.Engine ?? throw new InvalidOperationException(Detected.Value.MissingReason);

    public static string? MissingReason(bool needsStandIn, bool needsPostgresImage = true)
    {
        var (engine, reason) = Detected.Value;
        if (engine is null)
        {
            return reason;
        }

        if (needsPostgresImage && !ImageExists(engine, PostgresImage))
        {
            return $"The image {PostgresImage} is not present: eng/containers/postgres/build-image.sh builds it.";
        }

        return needsStandIn && !ImageExists(engine, $"{StandInImage}:{StandInTag}")
            ? $"The LiteLLM stand-in image {StandInImage}:{StandInTag} is not built: eng/containers/dotnet-app/build-image.sh tests/LiteLLMStandIn/LiteLLMStandIn.csproj {StandInImage}:{StandInTag}"
            : null;
    }

    /// <summary>Names of containers, networks and volumes whose name starts with <paramref name="stackName"/>, on <paramref name="engine"/> (default: the tests' engine).</summary>
    public static async Task<IReadOnlyList<string>> LeftoversAsync(string stackName, ContainerEngine? engine = null)
    {
        var found = new List<string>();
        foreach (var kind in new[] { "container", "network", "volume" })
        {
            string[] args = kind switch
            {
                "container" => ["ps", "-a", "--format", "{{.Names}}"],
                "network" => ["network", "ls", "--format", "{{.Name}}"],
                _ => ["volume", "ls", "--format", "{{.Name}}"],
            };
            var result = await (engine ?? Engine).RunAsync(args);
            found.AddRange(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(n => n == stackName || n.StartsWith(stackName + "-", StringComparison.Ordinal))
                .Select(n => $"{kind} {n}"));
        }

        return found;
    }

    /// <summary>
    /// What a stack on <paramref name="stateDirectory"/> names its network, and the prefix of its containers and new volumes:
    /// <c>&lt;stack&gt;-&lt;first 10 hex digits of the SHA-256 of the state folder's full path&gt;</c> (computed here as the README
    /// documents it, not through the product's code).
    /// </summary>
    public static string Prefix(string stackName, string stateDirectory) =>
        $"{stackName}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory).TrimEnd('/'))))[..10]}";

    /// <summary>The volume a new cluster of a stack on <paramref name="stateDirectory"/> is made in: <c>&lt;prefix&gt;-postgres-data</c>.</summary>
    public static string PostgresVolume(string stackName, string stateDirectory) => $"{Prefix(stackName, stateDirectory)}-postgres-data";

    /// <summary>The container PostgreSQL runs in for a stack on <paramref name="stateDirectory"/>.</summary>
    public static string PostgresContainer(string stackName, string stateDirectory) => $"{Prefix(stackName, stateDirectory)}-postgres";

    public static bool VolumeExists(string name) => Engine.RunAsync(["volume", "inspect", name]).GetAwaiter().GetResult().Succeeded;

    private static bool ImageExists(ContainerEngine engine, string image) => engine.RunAsync(["image", "inspect", "--format", "{{.Id}}", image]).GetAwaiter().GetResult().Succeeded;

    private static (ContainerEngine?, string?) Detect()
    {
        // The engine the test stacks detect too: Stack__ContainerRuntime (e.g. podman where Docker also answers) picks it for both.
        var options = new StackOptions { ContainerRuntime = Environment.GetEnvironmentVariable("Stack__ContainerRuntime") };
        var locator = new ContainerEngineLocator(options, NullLogger<ContainerEngineLocator>.Instance);
        var detection = locator.DetectAsync().GetAwaiter().GetResult();
        if (detection.Engine is null)
        {
            return (null, $"No container engine answers ({detection.Reason}). Run eng/containers/install-docker.sh (Docker Engine) or eng/containers/install-podman.sh (Podman), then eng/containers/build-images.sh (and eng/containers/docker-load-images.sh for Docker).");
        }

        return (detection.Engine, null);
    }
}
