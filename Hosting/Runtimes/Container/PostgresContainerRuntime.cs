using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Runs PostgreSQL as a container of the stack (<see cref="PostgresContainerImageTags.Reference"/>, or <c>Stack:PostgresImage</c>): alias = the resource name on
/// the stack network (joined after the start, when another container of the stack needs it), 5432 published on 127.0.0.1:&lt;host port&gt;, data in the named volume
/// the stack record names, for a new cluster <c>&lt;stack&gt;-&lt;id of the state folder&gt;-&lt;resource&gt;-data</c> (<see cref="ContainerStackNames"/>;
/// kept when the stack stops), <c>POSTGRES_PASSWORD</c> = the superuser parameter. Readiness, databases and roles are the
/// orchestrator's work over the published port, exactly as with the process runtime.
/// </summary>
/// <param name="containers">The stack's containers.</param>
/// <param name="options">The stack's settings.</param>
/// <param name="logger">Logs the starts.</param>
/// <param name="earlyContainer">The server's container started as the AppHost was built, when one was (<see cref="EarlyPostgresContainer"/>): taken over by a warm start that starts the same container, removed otherwise.</param>
internal sealed partial class PostgresContainerRuntime(ContainerStack containers, StackOptions options, ILogger<PostgresContainerRuntime> logger, EarlyPostgresContainer? earlyContainer = null) : IPostgresRuntime
{
    private readonly ConcurrentDictionary<string, (Task<(ContainerEngine Engine, bool Created)>? Network, Task<VolumeCheck> Volume, Task<RunningContainer?>? Early, PostgresStartRequest? EarlyRequest)> _begun = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _alone = new(StringComparer.Ordinal); // servers with no peer container

    /// <summary>The data folder inside the image (its <c>VOLUME</c>).</summary>
    public const string DataDirectory = "/var/lib/postgresql/data";

    public string Name => "container";

    /// <summary>
    /// Begins a start of <paramref name="resourceName"/>'s server before the orchestrator gets to it: the stack network is made and
    /// its volume asked about now, concurrently, and <see cref="StartAsync"/> uses the answers. Called once the state folder is
    /// locked and this runtime chosen; a start that never comes leaves the network to the stack's stop, which removes it.
    /// </summary>
    /// <param name="resourceName">The server.</param>
    /// <param name="peersOnNetwork">
    /// Whether any other resource of the stack runs as a container. Without one, nothing is on the stack network to reach the
    /// server by its alias, so it joins none (and none is made for it): its host port is all the stack uses.
    /// </param>
    /// <param name="warm">
    /// What the server's start will ask for, and the stack record as it was at the start. When the record says this runtime made
    /// the cluster and the volume holds it (a warm start), the container is started at once, as <see cref="StartAsync"/> would
    /// start it, and <see cref="StartAsync"/> takes it over; a start that never comes leaves it to the stack's stop
    /// (<see cref="ContainerStack.StopUnclaimedAsync"/>), which removes it. Anything else waits for <see cref="StartAsync"/>.
    /// </param>
    public void BeginStart(string resourceName, bool peersOnNetwork = true, (PostgresStartRequest Request, Func<Task<StackRecord?>> Record)? warm = null)
    {
        if (_begun.ContainsKey(resourceName))
        {
            return;
        }

        if (!peersOnNetwork)
        {
            _alone[resourceName] = 0;
        }

        var (network, volume) = Begin(resourceName, warm?.Record(), CancellationToken.None);
        var early = warm is { } known ? Task.Run(() => StartWarmEarlyAsync(known.Request, network, volume), CancellationToken.None) : null;
        _begun[resourceName] = (network, volume, early, warm?.Request);
        if (early is not null)
        {
            containers.TrackUnclaimed(resourceName, early);
        }

        // Observed here too: a start that never comes must not leave an unobserved failure behind.
        _ = network?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = volume.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        _ = early?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public async Task<PostgresServerHandle> StartAsync(PostgresStartRequest request, CancellationToken cancellationToken = default)
    {
        var image = PostgresContainerImageTags.For(options);

        // The stack network is made while the volume is asked about (two round trips to the engine at once, not one after the
        // other), both begun by BeginStart when the AppHost chose this runtime; a start refused below removes the network it
        // made, so that a refusal leaves nothing behind.
        var (network, volumeCheck, early, earlyRequest) = _begun.TryRemove(request.ResourceName, out var begun) ? begun : BeginNow(request.ResourceName, cancellationToken);
        _ = network?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        if (early is not null && containers.ClaimUnclaimed(request.ResourceName, early) && await ClaimEarlyAsync(early, earlyRequest, request, network, cancellationToken).ConfigureAwait(false) is { } started)
        {
            var claimed = (await volumeCheck.ConfigureAwait(false)).Volume;
            LogServerStarted(logger, request.ResourceName, started.Name, claimed);
            return new PostgresServerHandle(created: false, PostgresServerResource.DefaultTargetPort, started.Exited, started.StopAsync)
            {
                Volume = claimed,
            };
        }

        // Not taken over by this start (it began without BeginStart, or the volume check said otherwise): removed before anything runs.
        await DiscardEarlyContainerAsync("this start of PostgreSQL did not take it over").ConfigureAwait(false);
        var spec = Spec(request, volume: null, image); // its volume is known once the check answers
        ContainerEngine answered;
        bool volumeExists;
        bool recorded;
        bool legacy;
        string volume;
        try
        {
            ContainerStack.CheckPorts(spec);
            (answered, volume, volumeExists, recorded, legacy, _) = await volumeCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RemoveNetworkMadeAsync(network).ConfigureAwait(false);
            throw;
        }

        spec = spec with { Mounts = [new ContainerMount(volume, DataDirectory, IsVolume: true, ReadOnly: false)] };

        if (recorded != volumeExists)
        {
            await RemoveNetworkMadeAsync(network).ConfigureAwait(false);
        }

        if (recorded && !volumeExists)
        {
            // The record says this stack made a cluster in that volume, and the engine asked has none: it lives on the other
            // engine (Docker and Podman keep separate volumes), or was deleted. A new empty cluster in its place would look like lost data.
            var engine = await containers.Locator.LikelyEngineAsync(cancellationToken).ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"The stack's cluster was created in the volume '{volume}' (its record is in '{request.StateDirectory}'), and {engine?.Name ?? "the container engine"} has no such volume: " +
                "it is on the other engine (Docker and Podman keep separate volumes), or it was deleted" +
                (legacy ? $" (or Stack:Name changed since the cluster was made: its record, from before volume names carried the state folder's id, names no volume, so the volume is the one named after the current Stack:Name '{containers.Name}'; set Stack:Name back to the name it had)" : string.Empty) +
                ". Nothing was created. " +
                $"Start the engine the stack was created on, or pin it with Stack:ContainerRuntime=docker|podman; to start over on {engine?.Name ?? "this engine"}, " +
                "stop the AppHost and delete the state folder (and the volume, if it still exists on the other engine), which deletes its data.");
        }

        if (!recorded && volumeExists)
        {
            // A new state folder (new passwords) on a cluster an earlier stack made: never adopt it silently. The name is this
            // state folder's own (another checkout's volume has another name), so an earlier stack in this same folder made it.
            throw new DistributedApplicationException(
                $"The volume '{volume}' already exists, but the state folder '{request.StateDirectory}' has no record of creating it (no {StackRecord.FileName}: its cluster's passwords and identity are not here). " +
                "The name is this state folder's own, so an earlier stack in this same folder made it: the folder was deleted or the checkout cloned again at the same path since, or its first start was interrupted. " +
                $"The volume was left untouched and nothing was created. To keep its data, restore that state folder ({StackRecord.FileName} and secrets.json); to start over, delete the volume with '{answered.Name} volume rm {volume}' (this deletes its data), " +
                "or give this stack another name (Stack:Name) to start beside it.");
        }

        if (recorded && volumeExists)
        {
            spec = WarmSpec(spec, image);
        }

        // Started on the engine's default network at once, and joined to the stack network (alias = the resource name) while
        // PostgreSQL starts inside it: Docker's 'network create' (0.2-0.4 s) and a 'run' onto a new network (+0.25 s against the
        // default one) were on the start path, measured; 'network connect' now overlaps the server's own start. The host reaches
        // it on its published port either way; every peer container starts only after the join (ContainerStack.RunAsync), which
        // costs it nothing, since a peer waits for a healthy database first. With no peer container (BeginStart) there is no
        // network to join: 'network connect' takes 0.5-0.8 s of the engine's time and slowed the server's start next to it.
        var container = await containers.RunBeforeNetworkAsync(spec, answered, joinNetwork: network is not null, StartupTimeline.IsRecording ? Timed(request.Log) : request.Log, cancellationToken).ConfigureAwait(false);
        LogServerStarted(logger, request.ResourceName, container.Name, volume);
        return new PostgresServerHandle(
            created: false,
            PostgresServerResource.DefaultTargetPort,
            container.Exited,
            container.StopAsync)
        {
            Volume = volume,
        };
    }

    /// <summary>What the server's container runs with on any start (a new volume goes through the image's entrypoint).</summary>
    private static ContainerSpec Spec(PostgresStartRequest request, string? volume, string image) => Spec(request.ResourceName, request.HostPort, request.SuperUserPassword, volume, image);

    /// <summary>
    /// What the server's container runs with on a warm start of the official image: the container <see cref="EarlyPostgresContainer"/>
    /// starts before the model is built, compared with this start's own when it is taken over. <see langword="null"/> for any other
    /// image (its entrypoint runs, with the password).
    /// </summary>
    internal static ContainerSpec? OfficialWarmSpec(string resourceName, int hostPort, string volume, string image) =>
        PostgresContainerImageTags.IsOfficial(image) ? WarmSpec(Spec(resourceName, hostPort, superUserPassword: null, volume, image), image) : null;

    private static ContainerSpec Spec(string resourceName, int hostPort, string? superUserPassword, string? volume, string image) =>
        new(resourceName, image)
        {
            Ports = [(hostPort, PostgresServerResource.DefaultTargetPort)],
            Environment = new Dictionary<string, string?>
            {
                ["POSTGRES_PASSWORD"] = superUserPassword,
                ["POSTGRES_INITDB_ARGS"] = "--encoding=UTF8 --locale=C --no-sync", // as the process runtime's initdb
            },
            Mounts = volume is null ? [] : [new ContainerMount(volume, DataDirectory, IsVolume: true, ReadOnly: false)],
            ImageHint = PostgresContainerImageTags.BuildHintFor(image),
        };

    /// <summary>What the server's container runs with on a warm start (the volume holds the cluster this stack made).</summary>
    private static ContainerSpec WarmSpec(ContainerSpec spec, string image)
    {
        if (PostgresContainerImageTags.IsOfficial(image))
        {
            // A warm start: the volume holds the cluster this stack made (its record is written only after the server answered).
            // The official image's docker-entrypoint.sh would only check that PGDATA holds a database, fix ownerships that are
            // already right, make /var/run/postgresql and re-exec itself as the postgres user to exec `postgres`; that took
            // 0.2-0.45 s of the start here (measured). `postgres` runs directly instead, as the image's postgres user, as PID 1
            // (stop signals reach it as before; the image's STOPSIGNAL stays), with the image's PGDATA and configuration and
            // its CMD's command line (`postgres`, no arguments), so what Docker users do keeps working: `docker exec <container>
            // psql -U postgres` finds the socket in its usual folder, a tmpfs with the image's own mode 3777 (not every build of
            // the image has the folder). A new volume still goes through the entrypoint (initdb, POSTGRES_PASSWORD,
            // /docker-entrypoint-initdb.d), and so does any other image (Stack:PostgresImage), whose entrypoint may do more.
            // No environment: POSTGRES_PASSWORD and POSTGRES_INITDB_ARGS are read by the entrypoint's initdb alone (an existing
            // cluster keeps the password it was made with), so the warm container carries no secret (nor does 'docker inspect'),
            // and can be started before the model is built (EarlyPostgresContainer), with nothing read from the secrets file.
            spec = spec with { Entrypoint = "postgres", User = "postgres", Tmpfs = ["/var/run/postgresql:mode=3777"], Environment = new Dictionary<string, string?>() };
        }

        return spec;
    }

    /// <summary>
    /// Starts the server's container on a warm start as soon as the volume check answers, before the orchestrator reaches the
    /// server (≈ 0.15 s earlier, measured): only when the stack record says this runtime made the cluster and the volume holds
    /// it, the case in which <see cref="StartAsync"/> would start the same container with nothing else to refuse. Returns
    /// <see langword="null"/> (nothing started) in every other case, which <see cref="StartAsync"/> then handles as before.
    /// </summary>
    private async Task<RunningContainer?> StartWarmEarlyAsync(
        PostgresStartRequest request, Task<(ContainerEngine Engine, bool Created)>? network, Task<VolumeCheck> volumeCheck)
    {
        VolumeCheck check;
        try
        {
            check = await volumeCheck.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null; // the start stops with the reason before anything runs
        }

        if (!check.Exists || check.Runtime != Name)
        {
            await DiscardEarlyContainerAsync("the volume check did not find the cluster this runtime made").ConfigureAwait(false);
            return null;
        }

        var image = PostgresContainerImageTags.For(options);
        var spec = WarmSpec(Spec(request, check.Volume, image), image);
        var log = StartupTimeline.IsRecording ? Timed(request.Log) : request.Log;
        var name = containers.ContainerName(request.ResourceName);
        if (earlyContainer is not null && await earlyContainer.AdoptOrDiscardAsync(spec, name, containers.NetworkName, check.Engine, logger).ConfigureAwait(false))
        {
            return containers.Adopt(spec, check.Engine, name, joinNetwork: network is not null, log);
        }

        return await containers.RunBeforeNetworkAsync(spec, check.Engine, joinNetwork: network is not null, log, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes over the container <see cref="BeginStart"/> started for this start, or returns <see langword="null"/> when it started
    /// none (the caller then starts as usual). A failed early start fails this start with its reason, as the same <c>run</c>
    /// would have here; a start cancelled meanwhile leaves the container to be stopped once it is up.
    /// </summary>
    private async Task<RunningContainer?> ClaimEarlyAsync(
        Task<RunningContainer?> early, PostgresStartRequest? earlyRequest, PostgresStartRequest request, Task<(ContainerEngine Engine, bool Created)>? network, CancellationToken cancellationToken)
    {
        RunningContainer? started;
        try
        {
            started = await early.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = early.ContinueWith(t => t.Result?.StopAsync(CancellationToken.None) ?? Task.CompletedTask, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap()
                .ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        catch
        {
            await RemoveNetworkMadeAsync(network).ConfigureAwait(false);
            throw;
        }

        if (started is not null && (earlyRequest?.HostPort != request.HostPort || earlyRequest.SuperUserPassword != request.SuperUserPassword))
        {
            // Not what this start asks for (never seen: both come from the same model): started again below as asked.
            await started.StopAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        return started;
    }

    private (Task<(ContainerEngine Engine, bool Created)>? Network, Task<VolumeCheck> Volume, Task<RunningContainer?>? Early, PostgresStartRequest? EarlyRequest) BeginNow(
        string resourceName, CancellationToken cancellationToken)
    {
        var (network, volume) = Begin(resourceName, null, cancellationToken);
        return (network, volume, null, null);
    }

    private (Task<(ContainerEngine Engine, bool Created)>? Network, Task<VolumeCheck> Volume) Begin(string resourceName, Task<StackRecord?>? record, CancellationToken cancellationToken) =>
        (_alone.ContainsKey(resourceName) ? null : containers.EnsureNetworkAsync(resourceName, cancellationToken),
         Task.Run(() => CheckVolumeAsync(resourceName, record, cancellationToken), CancellationToken.None));

    /// <summary>Decides the cluster's volume (<see cref="VolumeOf"/>) and asks the engine whether it exists.</summary>
    private async Task<VolumeCheck> CheckVolumeAsync(string resourceName, Task<StackRecord?>? record, CancellationToken cancellationToken)
    {
        var recorded = record is null ? ReadRecord() : await record.ConfigureAwait(false);
        var volume = VolumeOf(resourceName, recorded);
        if (earlyContainer is not null && await earlyContainer.StartedOnAsync(volume).ConfigureAwait(false) is { } startedOn
            && await containers.Locator.LikelyEngineAsync(cancellationToken).ConfigureAwait(false) is { } likely && likely.Command == startedOn.Command)
        {
            // The container started early mounts this volume on this engine: it exists (a volume in use cannot be removed), asked once.
            return new VolumeCheck(likely, volume, true, Recorded: recorded is not null, Legacy: recorded is { ContainerVolume: null }, recorded?.Runtime);
        }

        var (engine, exists) = await containers.CheckVolumeAsync(resourceName, volume, cancellationToken).ConfigureAwait(false);
        return new VolumeCheck(engine, volume, exists, Recorded: recorded is not null, Legacy: recorded is { ContainerVolume: null }, recorded?.Runtime);
    }

    /// <summary>
    /// The cluster's volume: the one the stack record names; in a record written before volume names carried the state folder's id,
    /// <c>&lt;stack&gt;-&lt;resource&gt;-data</c> (the data of a stack made then stays where it is); with no record (a new cluster),
    /// this state folder's own name (<see cref="ContainerStack.VolumeName"/>), never another checkout's.
    /// </summary>
    private string VolumeOf(string resourceName, StackRecord? record) =>
        record is null ? containers.VolumeName(resourceName, "data") : record.ContainerVolume ?? containers.LegacyVolumeName(resourceName, "data");

    /// <summary>Reads the stack record now (a start the AppHost did not begin early: a restart, a verb's lease of the server).</summary>
    private StackRecord? ReadRecord()
    {
        try
        {
            return StackRecord.TryRead(Path.Combine(containers.StateDirectory, StackRecord.FileName));
        }
        catch (StackGuardException ex)
        {
            throw new DistributedApplicationException(ex.Message, ex);
        }
    }

    private Task DiscardEarlyContainerAsync(string reason) => earlyContainer?.DiscardAsync(reason, logger) ?? Task.CompletedTask;

    /// <summary>Waits for the network creation started with a check that then refused the start, and removes the network if it made it.</summary>
    private async Task RemoveNetworkMadeAsync(Task<(ContainerEngine Engine, bool Created)>? network)
    {
        if (network is null)
        {
            return;
        }

        try
        {
            if ((await network.ConfigureAwait(false)).Created)
            {
                await containers.RemoveNetworkAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is DistributedApplicationException or OperationCanceledException)
        {
            // The network was not made; the refusal's own reason is what the user needs.
        }
    }

    /// <summary>Marks the container's first output line and PostgreSQL's "ready to accept connections" on the start-up timeline.</summary>
    private static Action<string, bool> Timed(Action<string, bool> log)
    {
        var first = true;
        var ready = false;
        return (line, isError) =>
        {
            if (first)
            {
                first = false;
                StartupTimeline.Mark("postgres container: first output line");
            }

            if (!ready && line.Contains("ready to accept connections", StringComparison.Ordinal))
            {
                ready = true;
                StartupTimeline.Mark("postgres container: 'ready to accept connections' read");
            }

            log(line, isError);
        };
    }

    /// <summary>Makes the image present for a new cluster's runtime choice (<c>Stack:Runtime=auto</c>): present, or pulled as <c>Stack:PullPolicy</c> allows.</summary>
    public Task<ImageAvailability> EnsureImageAsync(ContainerEngine engine, string resourceName, Action<string, bool> log, CancellationToken cancellationToken = default) =>
        containers.EnsureImageAsync(engine, resourceName, PostgresContainerImageTags.For(options), log, cancellationToken);

    /// <summary>How to build the image locally.</summary>
    public string BuildHint => PostgresContainerImageTags.BuildHintFor(PostgresContainerImageTags.For(options));


    /// <summary>
    /// The answer of a volume check: the engine that answered, the cluster's volume, whether it exists, whether the stack has a record
    /// of its cluster, whether that record is from before volume names carried the state folder's id (it names no volume), and the runtime it says made the cluster.
    /// </summary>
    private readonly record struct VolumeCheck(ContainerEngine Engine, string Volume, bool Exists, bool Recorded, bool Legacy, string? Runtime);


    [LoggerMessage(EventId = LogEvents.PostgresContainerStarted, Level = LogLevel.Debug, Message = "Started PostgreSQL '{ResourceName}' as container '{ContainerName}' on volume {Volume}")]
    private static partial void LogServerStarted(ILogger logger, string resourceName, string containerName, string volume);
}
