using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Finds the container engine once per AppHost: <c>Stack:ContainerRuntime</c> when set, otherwise <c>docker</c> then
/// <c>podman</c> from PATH (Aspire's order). An engine answers when <c>&lt;cli&gt; info</c> exits 0 within a few seconds;
/// a CLI alone (the <c>docker</c> client without a daemon) does not, nor does Docker's CLI up to 20.10 (Debian bookworm's
/// <c>docker.io</c>), whose <c>info</c> exits 0 without a daemon and lists why in <c>ServerErrors</c>.
/// </summary>
/// <remarks>
/// <c>info</c> costs 0.9–2 s with Podman, so a stack whose state folder remembers the engine that answered last time
/// (<c>container-engine</c>, written after a detection) uses it without asking; the first command that fails falls back to a
/// full detection (<see cref="ContainerStack"/>), which explains what does not answer.
/// </remarks>
/// <param name="options">The stack's settings (<c>Stack:ContainerRuntime</c>).</param>
/// <param name="logger">Logs what answered.</param>
/// <param name="stateDirectory">The stack's state folder, where the engine that answered is remembered; <see langword="null"/> = not remembered.</param>
/// <param name="searchPath">The folders searched for <c>docker</c> and <c>podman</c>; <see langword="null"/> = <c>PATH</c>.</param>
internal sealed partial class ContainerEngineLocator(StackOptions options, ILogger<ContainerEngineLocator> logger, string? stateDirectory = null, string? searchPath = null)
{
    /// <summary>The file in the state folder that remembers the engine that answered.</summary>
    public const string HintFileName = "container-engine";

    /// <summary>
    /// How long <c>info</c> may take. Docker's daemon answers in a fraction of a second; Podman's <c>info</c> reads its storage
    /// and takes 1–2 s on an idle machine, 4 s at load average 20 and more than 10 s at 25–35 on two cores (measured).
    /// </summary>
    internal static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);
    private readonly Lazy<Task<ContainerEngineDetection>> _detection = new(() => DetectAsync(options, logger, stateDirectory, searchPath), LazyThreadSafetyMode.ExecutionAndPublication);
    private bool _hintFailed;

    /// <summary>
    /// Returns the engine this stack used last time without asking it (<c>Verified</c> = <see langword="false"/>), or detects one.
    /// A caller whose first command fails on an unverified engine calls <see cref="ForgetHint"/> and <see cref="RequireAsync"/>.
    /// </summary>
    public async Task<(ContainerEngine Engine, bool Verified)> LikelyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        if (!_hintFailed && !_detection.IsValueCreated && ReadHint() is { } hinted)
        {
            return (hinted, false);
        }

        return (await RequireAsync(resourceName, cancellationToken).ConfigureAwait(false), true);
    }

    /// <summary>
    /// Prepares the engine this stack used last time for the start that follows (<see cref="DockerEngineApi.Prewarm"/>), unless
    /// PostgreSQL is pinned to a local process. Asks nothing when no engine is remembered.
    /// </summary>
    public void PrewarmRemembered()
    {
        if (options.Runtime is not "process" && !_hintFailed && ReadHint() is { Api: { } api })
        {
            api.Prewarm();
        }
    }

    /// <summary>Drops the remembered engine: it did not answer.</summary>
    public void ForgetHint()
    {
        _hintFailed = true;
        if (HintPath(stateDirectory) is { } path && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Detects the engine (once; later calls return the same answer).</summary>
    public Task<ContainerEngineDetection> DetectAsync(CancellationToken cancellationToken = default) => _detection.Value.WaitAsync(cancellationToken);

    /// <summary>Returns the engine remembered from last time, or the detected one, or <see langword="null"/> when none answers.</summary>
    public async Task<ContainerEngine?> LikelyEngineAsync(CancellationToken cancellationToken = default) =>
        !_hintFailed && !_detection.IsValueCreated && ReadHint() is { } hinted
            ? hinted
            : (await DetectAsync(cancellationToken).ConfigureAwait(false)).Engine;

    /// <summary>Returns the answering engine, or throws with what was tried and how to fix it.</summary>
    public async Task<ContainerEngine> RequireAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var detection = await DetectAsync(cancellationToken).ConfigureAwait(false);
        return detection.Engine ?? throw new DistributedApplicationException(
            $"'{resourceName}' needs a container engine, and none answers: {detection.Reason}. " +
            "Start Docker or Podman (eng/containers/install-podman.sh sets Podman up on Debian), point Stack:ContainerRuntime at its CLI, " +
            "or run PostgreSQL as a local process with Stack:Runtime=process.");
    }

    private ContainerEngine? ReadHint() => Remembered(stateDirectory, options.ContainerRuntime, logger);

    /// <summary>
    /// The engine the stack of <paramref name="stateDirectory"/> used last time under the same <c>Stack:ContainerRuntime</c>
    /// (<paramref name="configured"/>), as <see cref="LikelyAsync"/> takes it, without asking it; <see langword="null"/> when none is remembered.
    /// </summary>
    internal static ContainerEngine? Remembered(string? stateDirectory, string? configured, ILogger logger)
    {
        try
        {
            if (HintPath(stateDirectory) is not { } path || !File.Exists(path))
            {
                return null;
            }

            var lines = File.ReadAllLines(path);
            return lines.Length == 2 && lines[0] == (configured ?? string.Empty) && File.Exists(lines[1])
                ? Create(lines[1], logger)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteHint(string? stateDirectory, StackOptions options, ContainerEngine engine)
    {
        try
        {
            if (HintPath(stateDirectory) is { } path && Directory.Exists(stateDirectory))
            {
                File.WriteAllLines(path, [options.ContainerRuntime ?? string.Empty, engine.Command]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a shortcut for the next start.
        }
    }

    private static string? HintPath(string? stateDirectory) => stateDirectory is null ? null : Path.Combine(stateDirectory, HintFileName);

    private static async Task<ContainerEngineDetection> DetectAsync(StackOptions options, ILogger logger, string? stateDirectory, string? searchPath)
    {
        var candidates = options.ContainerRuntime is { Length: > 0 } configured ? [configured] : new[] { "docker", "podman" };
        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            var source = options.ContainerRuntime is { Length: > 0 } ? $"Stack:ContainerRuntime={candidate}" : candidate;
            var path = Locate(candidate, searchPath);
            if (path is null)
            {
                tried.Add(candidate.Contains('/', StringComparison.Ordinal) ? $"{source}: no such file" : $"{source}: not on PATH");
                continue;
            }

            var engine = Create(path, logger);
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

            if (result.Succeeded && ServerErrors(result.StandardOutput) is { } serverErrors)
            {
                tried.Add($"{source}: '{engine.Name} info' exited 0 but its daemon does not answer ({Shorten(serverErrors)})");
                continue;
            }

            if (result.Succeeded)
            {
                var reason = $"'{engine.Name} info' answered in {watch.Elapsed.TotalSeconds:0.0} s";
                LogEngineFound(logger, engine.Name, path, watch.Elapsed.TotalSeconds);
                WriteHint(stateDirectory, options, engine);
                return new ContainerEngineDetection(engine, tried.Count == 0 ? reason : $"{reason} ({string.Join("; ", tried)})");
            }

            tried.Add($"{source}: '{engine.Name} info' exited {result.ExitCode} ({Shorten(result.Error)})");
        }

        LogNoEngine(logger, string.Join("; ", tried));
        return new ContainerEngineDetection(null, string.Join("; ", tried));
    }

    /// <summary>
    /// The engine whose CLI is <paramref name="path"/>: Docker's talks through its API on a Unix socket when its settings point at
    /// one (<see cref="DockerApiEndpoint"/>), the rest through the CLI, as before. One API client per socket in the process.
    /// </summary>
    internal static ContainerEngine Create(string path, ILogger logger)
    {
        var name = Path.GetFileName(path);
        if (name != "docker")
        {
            return new ContainerEngine(path, name);
        }

        var (socket, reason) = DockerApiEndpoint.Resolve(name, path, Environment.GetEnvironmentVariable);
        if (socket is null)
        {
            LogDockerCli(logger, path, reason);
            return new ContainerEngine(path, name);
        }

        LogDockerApi(logger, socket, reason);
        return new ContainerEngine(path, name) { Api = Clients.GetOrAdd((socket, reason), key => new DockerEngineApi(key.Socket, key.Source)) };
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Socket, string Source), DockerEngineApi> Clients = new();

    /// <summary>
    /// The errors Docker's CLI up to 20.10 reports in <c>info</c>'s JSON when its daemon does not answer (it still exits 0), or
    /// <see langword="null"/> when there are none (a daemon answered; Podman's <c>info</c> has no such field).
    /// </summary>
    internal static string? ServerErrors(string infoJson)
    {
        try
        {
            using var document = JsonDocument.Parse(infoJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("ServerErrors", out var errors)
                   && errors.ValueKind == JsonValueKind.Array
                   && errors.GetArrayLength() > 0
                ? string.Join("; ", errors.EnumerateArray().Select(e => e.ToString()))
                : null;
        }
        catch (JsonException)
        {
            return null; // not JSON: the exit code decides, as for any CLI
        }
    }

    private static string? Locate(string candidate, string? searchPath)
    {
        if (candidate.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
        }

        return (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, candidate))
            .FirstOrDefault(File.Exists);
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    [LoggerMessage(EventId = LogEvents.ContainerEngineFound, Level = LogLevel.Debug, Message = "Container engine {Engine} ({Path}) answered 'info' in {Seconds:0.0} s")]
    private static partial void LogEngineFound(ILogger logger, string engine, string path, double seconds);

    [LoggerMessage(EventId = LogEvents.DockerApiUsed, Level = LogLevel.Debug, Message = "Docker Engine is asked through its API on the Unix socket {Socket} ({Source}); pulls and networks through its CLI")]
    private static partial void LogDockerApi(ILogger logger, string socket, string source);

    [LoggerMessage(EventId = LogEvents.DockerCliUsed, Level = LogLevel.Debug, Message = "Docker Engine is asked through its CLI {Path} only, not its API: {Reason}")]
    private static partial void LogDockerCli(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = LogEvents.NoContainerEngine, Level = LogLevel.Debug, Message = "No container engine answers: {Tried}")]
    private static partial void LogNoEngine(ILogger logger, string tried);
}
