using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.State;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// A warm start's PostgreSQL container started as the builder is constructed, so that the engine's own start of it (≈ 0.5 s, the
/// floor of a container start) runs while the AppHost builds its model instead of after it: the container's counterpart of
/// <see cref="EarlyPostgresLaunch"/>. Only on the plain run (no verb), not under the testing builder, when <c>Stack:Runtime</c>
/// allows the container runtime and <c>Stack:PullPolicy</c> is not <c>always</c>, and only when the stack record says the container
/// runtime made the cluster in this stack's own volume (<c>&lt;stack&gt;-&lt;id&gt;-&lt;server&gt;-data</c>, official image), the
/// engine that answered last time is remembered, the state folder's lock is free (it is taken here and kept for the start: no other
/// AppHost can start a server on that volume meanwhile), the port is free and the volume exists. The container is exactly the one
/// a warm start runs (<see cref="PostgresContainerRuntime.OfficialWarmSpec"/>: <c>postgres</c> directly, no environment); nothing
/// of another AppHost is removed (a name in use means no early start). <see cref="PostgresContainerRuntime"/> takes it over when its
/// own container is the same and removes it otherwise; the application's stop or disposal, an exception out of <c>Program.cs</c>
/// and the process's exit remove one nobody took over.
/// </summary>
internal sealed partial class EarlyPostgresContainer
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly string _stateDirectory;
    private readonly Task<Started?> _started;
    private readonly EarlyStateLock _stateLock;
    private bool _settled;

    private EarlyPostgresContainer(string stateDirectory, EarlyStateLock stateLock, string? stackName, string? configuredEngine, string? image)
    {
        _stateDirectory = stateDirectory;
        _stateLock = stateLock;
        _started = Task.Run(() => TryStartAsync(stackName, configuredEngine, image));
    }

    /// <summary>
    /// Starts the container on a background thread when this start may (see the type); returns <see langword="null"/> when it may
    /// not. Reads <paramref name="configuration"/> here, on the caller's thread.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="configuration">The start's configuration.</param>
    /// <param name="appHostDirectory">The AppHost project's folder.</param>
    /// <param name="stateLock">The state folder's lock, taken before the container is started and handed to the start.</param>
    public static EarlyPostgresContainer? TryStart(string[] args, IConfiguration configuration, string appHostDirectory, EarlyStateLock stateLock)
    {
        if (EarlyStart.StateDirectory(args, configuration, appHostDirectory, "container") is not { } stateDirectory)
        {
            return null;
        }

        if (!(configuration["Stack:PullPolicy"]?.Trim() is null or "" or "missing" or "never"))
        {
            return null; // always (pulled before each run) or a bad value (the start says so)
        }

        return File.Exists(Path.Combine(stateDirectory, StackRecord.FileName)) && File.Exists(Path.Combine(stateDirectory, ContainerEngineLocator.HintFileName))
            ? new EarlyPostgresContainer(stateDirectory, stateLock, configuration["Stack:Name"], configuration["Stack:ContainerRuntime"], configuration["Stack:PostgresImage"])
            : null;
    }

    /// <summary>The engine the container was started on when it mounts <paramref name="volume"/>; <see langword="null"/> when none was started for it.</summary>
    public async Task<ContainerEngine?> StartedOnAsync(string volume)
    {
        var started = await _started.ConfigureAwait(false);
        lock (_gate)
        {
            return started is not null && !_settled && started.Volume == volume ? started.Engine : null;
        }
    }

    /// <summary>
    /// Takes the container over when it is <paramref name="name"/> of the stack <paramref name="prefix"/>, on <paramref name="engine"/>'s
    /// CLI, and the container <paramref name="spec"/> describes (the same create request): <see langword="true"/>, and the caller
    /// follows it. Otherwise stops and removes it (when one runs) and returns <see langword="false"/>: the caller starts its own.
    /// Either way, once.
    /// </summary>
    public async Task<bool> AdoptOrDiscardAsync(ContainerSpec spec, string name, string prefix, ContainerEngine engine, ILogger logger)
    {
        var started = await _started.ConfigureAwait(false);
        string reason;
        lock (_gate)
        {
            if (_settled || started is null)
            {
                _settled = true;
                return false;
            }

            if (started.Name == name && started.Prefix == prefix && started.Engine.Command == engine.Command && SameContainer(started.Spec, spec, prefix))
            {
                _settled = true;
                Unregister();
                StartupTimeline.Mark("early postgres container adopted");
                LogAdopted(logger, spec.ResourceName, name, started.Engine.Name);
                return true;
            }

            reason = started.Name != name || started.Prefix != prefix ? $"this start names its container '{name}'"
                : started.Engine.Command != engine.Command ? $"this start uses the engine {engine.Command}"
                : $"this start runs another container (published port, image or volume changed: {Describe(spec)})";
        }

        await DiscardAsync(reason, logger).ConfigureAwait(false);
        return false;
    }

    /// <summary>Stops and removes the container unless it was taken over.</summary>
    public async Task DiscardAsync(string reason, ILogger? logger)
    {
        var started = await _started.ConfigureAwait(false);
        lock (_gate)
        {
            if (_settled)
            {
                return;
            }

            _settled = true;
        }

        if (started is not null)
        {
            await RemoveAsync(started, reason, logger).ConfigureAwait(false);
        }
    }

    private async Task<Started?> TryStartAsync(string? stackName, string? configuredEngine, string? configuredImage)
    {
        try
        {
            StartupTimeline.Mark("early postgres container: looking at the stack record");
            if (ContainerEngineLocator.Remembered(_stateDirectory, configuredEngine, NullLogger.Instance) is not { } engine)
            {
                return null;
            }

            engine.Api?.Prewarm(); // the HTTP stack's first use (≈ 0.1 s of JIT) and the version ping, while the record is read
            var (runtime, volume, hostPort) = ReadRecord(Path.Combine(_stateDirectory, StackRecord.FileName));
            var prefix = ContainerStackNames.Prefix(stackName is { Length: > 0 } ? stackName : new StackOptions().Name, _stateDirectory);
            if (runtime != "container" || volume is null || hostPort is < 1 or > 65535
                || !volume.StartsWith(prefix + "-", StringComparison.Ordinal) || !volume.EndsWith("-data", StringComparison.Ordinal) || volume.Length <= prefix.Length + 6)
            {
                return null; // not a cluster this runtime made in this stack's own volume (a legacy one, a renamed stack: started when its turn comes)
            }

            StartupTimeline.Mark("early postgres container: stack record read");

            var resourceName = volume[(prefix.Length + 1)..^"-data".Length];
            var image = configuredImage is { Length: > 0 } ? configuredImage.Trim() : PostgresContainerImageTags.Reference;
            if (PostgresContainerRuntime.OfficialWarmSpec(resourceName, hostPort, volume, image) is not { } spec
                || !ContainerStackNames.IsValid(resourceName) || !PortOwner.IsFree(hostPort))
            {
                return null;
            }

            lock (_gate)
            {
                // Held from here on and handed to the start: no other AppHost can start a server on this folder's volume meanwhile.
                if (_settled || !_stateLock.TryTake(_stateDirectory))
                {
                    return null; // another AppHost runs on this folder (its start says so), or the start went ahead without it
                }
            }

            StartupTimeline.Mark("early postgres container: state folder locked, engine remembered");
            var exists = engine.Api is { } api
                ? await api.VolumeExistsAsync(volume).ConfigureAwait(false)
                : (await engine.RunAsync(["volume", "inspect", "--format", "{{.Name}}", volume], timeout: TimeSpan.FromSeconds(30)).ConfigureAwait(false)).Succeeded;
            if (!exists)
            {
                return null; // a run would make an empty volume: the start refuses instead, as always
            }

            var name = $"{prefix}-{resourceName}";
            lock (_gate)
            {
                if (_settled)
                {
                    return null;
                }

                AppDomain.CurrentDomain.ProcessExit += OnProcessEnding;
                AppDomain.CurrentDomain.UnhandledException += OnProcessEnding;
            }

            var id = await RunAsync(engine, spec with { JoinsNetworkAfterStart = true }, name, prefix).ConfigureAwait(false);
            if (id is null)
            {
                Unregister();
                return null;
            }

            StartupTimeline.Mark("postgres container started early (from the stack record)");
            return new Started(engine, id, name, prefix, volume, spec with { JoinsNetworkAfterStart = true });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing started early: the start runs PostgreSQL's container as it always does, and says why if that fails too.
            Unregister();
            return null;
        }
    }

    /// <summary>
    /// The three fields of the stack record this start needs (runtime, volume, host port), read with <see cref="JsonDocument"/>: the
    /// record's serializer is compiled on its first use, ≈ 50 ms here, which the start's own read (<see cref="StackStateStore.PreloadRecord"/>)
    /// pays anyway; a record that does not parse starts nothing early, and the start reports it.
    /// </summary>
    private static (string? Runtime, string? Volume, int HostPort) ReadRecord(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        return root.ValueKind != JsonValueKind.Object
            ? (null, null, 0)
            : (Text(root, "runtime"), Text(root, "containerVolume"), root.TryGetProperty("hostPort", out var port) && port.TryGetInt32(out var value) ? value : 0);

        static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>
    /// Creates and starts the container as <see cref="ContainerStack"/> does (Docker's API, else the CLI's <c>run -d</c>, with a
    /// <c>--cidfile</c> here); returns its id, or <see langword="null"/> when it did not start, after removing what this call created
    /// (by id: a name in use is another start's container, never touched).
    /// </summary>
    private static async Task<string?> RunAsync(ContainerEngine engine, ContainerSpec spec, string name, string prefix)
    {
        if (engine.Api is { } api)
        {
            var result = await api.RunAsync(name, DockerContainerConfig.For(spec, prefix, ContainerStack.StackLabel)).ConfigureAwait(false);
            var id = result.StandardOutput.Trim();
            if (result.Succeeded)
            {
                return id;
            }

            if (id.Length > 0)
            {
                _ = await api.RemoveAsync(id).ConfigureAwait(false);
            }

            return null;
        }

        var folder = Directory.CreateTempSubdirectory("stackmodel-cid-");
        try
        {
            var cidFile = Path.Combine(folder.FullName, "cid");
            var args = ContainerStack.RunArguments(spec, name, prefix);
            args.InsertRange(2, ["--cidfile", cidFile]);
            var result = await engine.RunAsync(args, spec.Environment, timeout: TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var id = File.Exists(cidFile) ? File.ReadAllText(cidFile).Trim() : string.Empty;
            if (result.Succeeded)
            {
                return id.Length > 0 ? id : result.StandardOutput.Trim();
            }

            if (id.Length > 0)
            {
                _ = await engine.RunAsync(["rm", "-f", "-v", id], timeout: StopTimeout).ConfigureAwait(false);
            }

            return null;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Whether both specs make the same container (the same create request, as Docker's API and the CLI's arguments carry it).</summary>
    private static bool SameContainer(ContainerSpec early, ContainerSpec now, string prefix) =>
        DockerContainerConfig.For(early with { JoinsNetworkAfterStart = true }, prefix, ContainerStack.StackLabel).ToJsonString()
            == DockerContainerConfig.For(now with { JoinsNetworkAfterStart = true }, prefix, ContainerStack.StackLabel).ToJsonString();

    private static string Describe(ContainerSpec spec) =>
        string.Join(", ", spec.Ports.Select(p => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{p.HostPort}")).Append(spec.Image).Concat(spec.Mounts.Select(m => m.Source)));

    /// <summary>The process ends (Main returned, <c>Environment.Exit</c>, an unhandled exception) with the container not taken over: it must not outlive the AppHost.</summary>
    private void OnProcessEnding(object? sender, EventArgs e) =>
        DiscardAsync("the AppHost ended before PostgreSQL's start took it over", logger: null).GetAwaiter().GetResult();

    private void Unregister()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessEnding;
        AppDomain.CurrentDomain.UnhandledException -= OnProcessEnding;
    }

    /// <summary>Stops the container (its stop signal: a fast shutdown of PostgreSQL) and removes it, by id.</summary>
    private async Task RemoveAsync(Started started, string reason, ILogger? logger)
    {
        Unregister();
        StartupTimeline.Mark("early postgres container discarded");
        if (logger is not null)
        {
            LogDiscarded(logger, started.Spec.ResourceName, started.Name, reason);
        }

        try
        {
            var engine = started.Engine;
            _ = engine.Api is { } api
                ? await api.StopAsync(started.Id, 10).ConfigureAwait(false)
                : await engine.RunAsync(["stop", "-t", "10", started.Id], timeout: StopTimeout).ConfigureAwait(false);
            _ = engine.Api is { } remover
                ? await remover.RemoveAsync(started.Id).ConfigureAwait(false)
                : await engine.RunAsync(["rm", "-f", "-v", started.Id], timeout: StopTimeout).ConfigureAwait(false);
        }
        catch (DistributedApplicationException ex)
        {
            if (logger is not null)
            {
                LogNotRemoved(logger, started.Spec.ResourceName, started.Name, ex.Message);
            }
        }
    }

    /// <summary>A container started early: its engine, id, name, the stack's prefix, its volume and what it runs.</summary>
    private sealed record Started(ContainerEngine Engine, string Id, string Name, string Prefix, string Volume, ContainerSpec Spec);

    [LoggerMessage(EventId = LogEvents.EarlyPostgresContainerAdopted, Level = LogLevel.Debug, Message = "PostgreSQL '{ResourceName}': the container '{ContainerName}' started on {Engine} as the AppHost was built is taken over: this start runs the same container")]
    private static partial void LogAdopted(ILogger logger, string resourceName, string containerName, string engine);

    [LoggerMessage(EventId = LogEvents.EarlyPostgresContainerDiscarded, Level = LogLevel.Information, Message = "PostgreSQL '{ResourceName}': the container '{ContainerName}' started as the AppHost was built was removed: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string resourceName, string containerName, string reason);

    [LoggerMessage(EventId = LogEvents.EarlyPostgresContainerNotRemoved, Level = LogLevel.Warning, Message = "PostgreSQL '{ResourceName}': the container '{ContainerName}' started as the AppHost was built could not be removed: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string resourceName, string containerName, string reason);
}
