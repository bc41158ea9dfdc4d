using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Finds the container engine once per AppHost: <c>Stack:ContainerRuntime</c> when set, otherwise <c>docker</c> then
/// <c>podman</c> from PATH (Aspire's order). An engine answers when <c>&lt;cli&gt; info</c> exits 0 within a few seconds;
/// a CLI alone (the <c>docker</c> client without a daemon) does not.
/// </summary>
internal sealed partial class ContainerEngineLocator(StackOptions options, ILogger<ContainerEngineLocator> logger) : IContainerEngineProbe
{
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(10);
    private readonly Lazy<Task<ContainerEngineDetection>> _detection = new(() => DetectAsync(options, logger), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Detects the engine (once; later calls return the same answer).</summary>
    public Task<ContainerEngineDetection> DetectAsync(CancellationToken cancellationToken = default) => _detection.Value.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    public bool Answers() => DetectAsync().GetAwaiter().GetResult().Engine is not null;

    /// <summary>Returns the answering engine, or throws with what was tried and how to fix it.</summary>
    public async Task<ContainerEngine> RequireAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var detection = await DetectAsync(cancellationToken).ConfigureAwait(false);
        return detection.Engine ?? throw new DistributedApplicationException(
            $"'{resourceName}' needs a container engine, and none answers: {detection.Reason}. " +
            "Start Docker or Podman (eng/containers/install-podman.sh sets Podman up on these machines), point Stack:ContainerRuntime at its CLI, " +
            "or run PostgreSQL as a local process with Stack:Runtime=process.");
    }

    private static async Task<ContainerEngineDetection> DetectAsync(StackOptions options, ILogger logger)
    {
        var candidates = options.ContainerRuntime is { Length: > 0 } configured ? [configured] : new[] { "docker", "podman" };
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            var source = options.ContainerRuntime is { Length: > 0 } ? $"Stack:ContainerRuntime={candidate}" : candidate;
            var path = Locate(candidate);
            if (path is null)
            {
                tried.Add(candidate.Contains('/', StringComparison.Ordinal) ? $"{source}: no such file" : $"{source}: not on PATH");
                continue;
            }

            var engine = new ContainerEngine(path, Path.GetFileName(path));
            var watch = Stopwatch.StartNew();
            ContainerCommandResult result;
            try
            {
                result = await engine.RunAsync(["info", "--format", "{{json .}}"], timeout: InfoTimeout).ConfigureAwait(false);
            }
            catch (DistributedApplicationException ex)
            {
                tried.Add($"{source}: {ex.Message}");
                continue;
            }

            if (result.Succeeded)
            {
                var reason = $"'{engine.Name} info' answered in {watch.Elapsed.TotalSeconds:0.0} s";
                LogEngineFound(logger, engine.Name, path, watch.Elapsed.TotalSeconds);
                return new ContainerEngineDetection(engine, tried.Count == 0 ? reason : $"{reason} ({string.Join("; ", tried)})");
            }

            tried.Add($"{source}: '{engine.Name} info' exited {result.ExitCode} ({Shorten(result.Error)})");
        }

        LogNoEngine(logger, string.Join("; ", tried));
        return new ContainerEngineDetection(null, string.Join("; ", tried));
    }

    private static string? Locate(string candidate)
    {
        if (candidate.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, candidate))
            .FirstOrDefault(File.Exists);
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Container engine {Engine} ({Path}) answered 'info' in {Seconds:0.0} s")]
    private static partial void LogEngineFound(ILogger logger, string engine, string path, double seconds);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "No container engine answers: {Tried}")]
    private static partial void LogNoEngine(ILogger logger, string tried);
}
