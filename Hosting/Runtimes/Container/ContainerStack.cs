using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// The stack's containers on one engine: a network named after the stack and its state folder (<see cref="NetworkName"/>:
/// <c>&lt;stack&gt;-&lt;id&gt;</c>, see <see cref="ContainerStackNames"/>), containers named <c>&lt;stack&gt;-&lt;id&gt;-&lt;resource&gt;</c>
/// with the resource name as network alias, ports published on 127.0.0.1 only. Images are
/// pulled by the stack itself as <c>Stack:PullPolicy</c> says (<c>pull</c>, its output in the resource's log and on the console),
/// never by <c>run</c> (<c>--pull=never</c>), so a failed pull is reported as such. The network is removed when the stack stops;
/// named volumes are kept.
/// </summary>
internal sealed partial class ContainerStack(StackOptions options, ContainerEngineLocator locator, string stateDirectory, ILogger<ContainerStack> logger)
{
    /// <summary>The label every container, network and volume of a stack carries.</summary>
    public const string StackLabel = "io.stackmodel.stack";

    private readonly SemaphoreSlim _networkLock = new(1, 1);
    private readonly List<Task> _making = [];
    private readonly ConcurrentDictionary<string, byte> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _joins = new(StringComparer.Ordinal); // guarded by _making
    private readonly ConcurrentDictionary<string, Task<RunningContainer?>> _unclaimed = new(StringComparer.Ordinal);
    private ContainerEngine? _networkEngine;
    private ContainerEngine? _usedEngine;

    private string? _prefix;

    /// <summary>Gets the stack's name (<c>Stack:Name</c>).</summary>
    public string Name => options.Name;

    /// <summary>
    /// Gets the stack network's name, <c>&lt;stack&gt;-&lt;id of the state folder&gt;</c>, which also begins the name of every container
    /// and new volume of the stack, so that two checkouts of one AppHost (or two state folders) never share one.
    /// </summary>
    public string NetworkName => _prefix ??= ContainerStackNames.Prefix(options.Name, stateDirectory);

    /// <summary>Gets the state folder whose stack this is.</summary>
    public string StateDirectory => stateDirectory;

    /// <summary>Gets the engine detection (runs <c>info</c> once).</summary>
    public ContainerEngineLocator Locator => locator;

    /// <summary>Gets the named volumes this stack's containers mounted since the AppHost started.</summary>
    public IReadOnlyCollection<string> Volumes => _volumes.Keys.ToArray();

    /// <summary>The container of <paramref name="resourceName"/>: <c>&lt;stack&gt;-&lt;id&gt;-&lt;resource&gt;</c>.</summary>
    public string ContainerName(string resourceName) => $"{NetworkName}-{resourceName}";

    /// <summary>A new named volume of <paramref name="resourceName"/>: <c>&lt;stack&gt;-&lt;id&gt;-&lt;resource&gt;-&lt;purpose&gt;</c> (an existing cluster keeps the one its record names).</summary>
    public string VolumeName(string resourceName, string purpose) => $"{NetworkName}-{resourceName}-{purpose}";

    /// <summary>The volume a stack of this name made before volume names carried the state folder's id.</summary>
    public string LegacyVolumeName(string resourceName, string purpose) => ContainerStackNames.LegacyVolume(Name, resourceName, purpose);

    /// <summary>Gets <c>Stack:PullPolicy</c>; throws with the fix when it is not a policy.</summary>
    public ImagePullPolicy PullPolicy => ImagePullPolicies.Parse(options.PullPolicy);

    /// <summary>
    /// Makes <paramref name="image"/> present on <paramref name="engine"/> for a runtime choice (<c>auto</c>): present locally, or
    /// pulled now when <see cref="PullPolicy"/> allows (its output goes to <paramref name="log"/>). Never throws for a failed pull:
    /// the answer says what failed.
    /// </summary>
    public async Task<ImageAvailability> EnsureImageAsync(ContainerEngine engine, string resourceName, string image, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        var policy = PullPolicy;
        if (policy != ImagePullPolicy.Always && await ImageExistsAsync(engine, image, cancellationToken).ConfigureAwait(false))
        {
            return new ImageAvailability(true, $"the image {image} is present locally");
        }

        if (policy == ImagePullPolicy.Never)
        {
            return new ImageAvailability(false, $"the image {image} is not present locally and Stack:PullPolicy=never forbids pulling it",
                $"pull it yourself ('{engine.Name} pull {image}'), or let the stack pull it (Stack:PullPolicy=missing)");
        }

        var (elapsed, error) = await PullAsync(engine, resourceName, image, log, cancellationToken).ConfigureAwait(false);
        return error is null
            ? new ImageAvailability(true, string.Create(CultureInfo.InvariantCulture, $"the image {image} was pulled in {elapsed.TotalSeconds:0.0} s (Stack:PullPolicy={ImagePullPolicies.Name(policy)})"))
            : new ImageAvailability(false, $"the image {image} is not present locally and '{engine.Name} pull' failed: {error}",
                $"pull it once its registry is reachable ('{engine.Name} pull {image}'), or load a copy saved where it is present " +
                $"('{engine.Name} save -o image.tar {image}' there, '{engine.Name} load -i image.tar' here)");
    }

    /// <summary>
    /// Starts a container on the stack network and follows its output into <paramref name="log"/>. It starts only once every
    /// container that joins the network after its start (<see cref="ContainerSpec.JoinsNetworkAfterStart"/>) has joined it, so
    /// that its peers' aliases resolve from its first line on.
    /// </summary>
    public async Task<RunningContainer> RunAsync(ContainerSpec spec, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        var policy = PullPolicy; // a bad setting fails before anything is created
        CheckPorts(spec);

        // The first command of a start: on an engine remembered from last time it also proves the engine answers (a no-op when
        // the caller made the network already, concurrently with its own checks).
        var (engine, _) = await EnsureNetworkAsync(spec.ResourceName, cancellationToken).ConfigureAwait(false);
        await WhenPeersJoinedAsync(spec.ResourceName, cancellationToken).ConfigureAwait(false);
        var name = await RunOnAsync(engine, spec with { JoinsNetworkAfterStart = false }, policy, log, cancellationToken).ConfigureAwait(false);
        return RunningContainer.Follow(engine, name, log);
    }

    /// <summary>
    /// Starts a container on <paramref name="engine"/>'s default network without waiting for the stack network and, when
    /// <paramref name="joinNetwork"/>, joins it to the stack network with its alias in the background
    /// (<see cref="ContainerSpec.JoinsNetworkAfterStart"/>): <c>network create</c> and <c>network connect</c> then run while the
    /// container's own process starts, instead of before <c>run</c>. Its ports are published on 127.0.0.1 as with
    /// <see cref="RunAsync"/>. <paramref name="engine"/> is one that answered already (the caller's volume check); the caller
    /// began the stack network (<see cref="EnsureNetworkAsync(string, CancellationToken)"/>) when it joins one.
    /// </summary>
    public async Task<RunningContainer> RunBeforeNetworkAsync(ContainerSpec spec, ContainerEngine engine, bool joinNetwork, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        var policy = PullPolicy; // a bad setting fails before anything is created
        CheckPorts(spec);
        _usedEngine ??= engine;
        var name = await RunOnAsync(engine, spec with { JoinsNetworkAfterStart = true }, policy, log, cancellationToken).ConfigureAwait(false);
        return RunningContainer.Follow(engine, name, log, joinNetwork ? Join(engine, spec.ResourceName, name) : null);
    }

    /// <summary>
    /// Takes over PostgreSQL's container started as the AppHost was built (<see cref="EarlyPostgresContainer"/>): the container
    /// <see cref="RunBeforeNetworkAsync"/> would have started for <paramref name="spec"/> (the caller compared them), followed and
    /// joined to the stack network as that method does.
    /// </summary>
    public RunningContainer Adopt(ContainerSpec spec, ContainerEngine engine, string name, bool joinNetwork, Action<string, bool> log)
    {
        _usedEngine ??= engine;
        foreach (var mount in spec.Mounts.Where(m => m.IsVolume))
        {
            _volumes.TryAdd(mount.Source, 0);
        }

        LogContainerStarted(logger, spec.ResourceName, name, engine.Name);
        return RunningContainer.Follow(engine, name, log, joinNetwork ? Join(engine, spec.ResourceName, name) : null);
    }

    /// <summary>
    /// Waits until every container that joins the stack network after its start has joined it (a failed join was logged and
    /// is not thrown here). The stack counts as settled only then: its peers reach it by its alias from that moment on.
    /// </summary>
    public async Task WhenJoinedAsync(CancellationToken cancellationToken = default)
    {
        Task[] joins;
        lock (_making)
        {
            joins = [.. _joins.Values];
        }

        try
        {
            await Task.WhenAll(joins).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedApplicationException)
        {
            // Logged by the join; a peer that needs it fails with the reason (WhenPeersJoinedAsync).
        }
    }

    /// <summary>
    /// Tracks a container started ahead of its resource's start (PostgreSQL's on a warm start, see
    /// <see cref="PostgresContainerRuntime.BeginStart"/>) until the start claims it (<see cref="ClaimUnclaimed"/>); one still
    /// unclaimed when the stack stops (a start that failed before reaching it) is stopped and removed by <see cref="StopUnclaimedAsync"/>.
    /// </summary>
    public void TrackUnclaimed(string resourceName, Task<RunningContainer?> starting) => _unclaimed[resourceName] = starting;

    /// <summary>Claims a container tracked by <see cref="TrackUnclaimed"/>; <see langword="false"/> when the stack's stop took it first.</summary>
    public bool ClaimUnclaimed(string resourceName, Task<RunningContainer?> starting) =>
        _unclaimed.TryRemove(new KeyValuePair<string, Task<RunningContainer?>>(resourceName, starting));

    /// <summary>Stops and removes every container started ahead of a start that never claimed it (see <see cref="TrackUnclaimed"/>).</summary>
    public async Task StopUnclaimedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var resourceName in _unclaimed.Keys)
        {
            if (!_unclaimed.TryRemove(resourceName, out var starting))
            {
                continue;
            }

            try
            {
                if (await starting.WaitAsync(cancellationToken).ConfigureAwait(false) is { } container)
                {
                    await container.StopAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (DistributedApplicationException ex)
            {
                LogUnclaimedNotStopped(logger, resourceName, ex.Message);
            }
        }
    }

    /// <summary>Starts the join of container <paramref name="name"/> to the stack network, tracked so that a stop waits for it.</summary>
    private Task Join(ContainerEngine engine, string resourceName, string name)
    {
        var joining = Task.Run(() => JoinCoreAsync(engine, resourceName, name), CancellationToken.None);
        _ = joining.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        lock (_making)
        {
            _making.Add(joining);
            _joins[resourceName] = joining; // a restarted resource's new join replaces the old one
        }

        _ = joining.ContinueWith(
            t =>
            {
                lock (_making)
                {
                    _making.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return joining;
    }

    private async Task JoinCoreAsync(ContainerEngine engine, string resourceName, string name)
    {
        try
        {
            // The network was begun by the caller before its run: this normally finds it made.
            var (networkEngine, _) = await EnsureNetworkAsync(resourceName, CancellationToken.None).ConfigureAwait(false);
            if (networkEngine.Command != engine.Command)
            {
                throw new DistributedApplicationException(
                    $"The container '{name}' of '{resourceName}' runs on {engine.Name}, but the stack network '{NetworkName}' was made on {networkEngine.Name}, so peers cannot reach it as {resourceName}. " +
                    $"Pin the engine with Stack:ContainerRuntime=docker|podman and start again.");
            }

            var result = await engine.RunAsync(["network", "connect", "--alias", resourceName, NetworkName, name], timeout: TimeSpan.FromSeconds(30), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new DistributedApplicationException(
                    $"The container '{name}' of '{resourceName}' could not join the stack network '{NetworkName}' ('{engine.Name} network connect' failed: {result.Error.Trim()}), so peers cannot reach it as {resourceName}. " +
                    $"Check '{engine.Name} network inspect {NetworkName}', then restart '{resourceName}' or the stack.");
            }
        }
        catch (DistributedApplicationException ex)
        {
            LogJoinFailed(logger, resourceName, name, NetworkName, ex.Message);
            throw;
        }
    }

    /// <summary>Waits for the joins of the containers that join the network after their start; throws, naming both, when one failed.</summary>
    private async Task WhenPeersJoinedAsync(string resourceName, CancellationToken cancellationToken)
    {
        KeyValuePair<string, Task>[] joins;
        lock (_making)
        {
            joins = [.. _joins];
        }

        foreach (var (peer, joining) in joins)
        {
            try
            {
                await joining.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DistributedApplicationException ex)
            {
                throw new DistributedApplicationException($"'{resourceName}' was not started: '{peer}' is not on the stack network, so '{resourceName}' could not reach it by its alias. {ex.Message}", ex);
            }
        }
    }

    /// <summary>Runs <c>run -d</c> for <paramref name="spec"/> on <paramref name="engine"/> (removing a stale container of this stack, pulling as the policy says); returns the container's name.</summary>
    private async Task<string> RunOnAsync(ContainerEngine engine, ContainerSpec spec, ImagePullPolicy policy, Action<string, bool> log, CancellationToken cancellationToken)
    {
        foreach (var mount in spec.Mounts.Where(m => m.IsVolume))
        {
            _volumes.TryAdd(mount.Source, 0);
        }

        var name = ContainerName(spec.ResourceName);
        var args = RunArguments(spec, name);
        if (policy == ImagePullPolicy.Always)
        {
            var (_, error) = await PullAsync(engine, spec.ResourceName, spec.Image, log, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new DistributedApplicationException(
                    $"Image '{spec.Image}' of '{spec.ResourceName}' could not be pulled (Stack:PullPolicy=always): '{engine.Name} pull' failed: {error}. " +
                    $"If the registry could not be reached from this machine, use the local image with Stack:PullPolicy=missing, or build it locally: {BuildHint(spec)}");
            }
        }

        var result = await RunContainerAsync(engine, spec, name, args, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && await ContainerExistsAsync(engine, name, cancellationToken).ConfigureAwait(false))
        {
            // A container of this stack left by an AppHost that was killed: it is ours by name, so it goes (its named volumes stay).
            LogStaleContainer(logger, spec.ResourceName, name);
            log($"Removing the container '{name}' left by an earlier AppHost (named volumes are kept).", false);
            _ = await RemoveContainerAsync(engine, name, cancellationToken).ConfigureAwait(false);
            result = await RunContainerAsync(engine, spec, name, args, cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded && !await ImageExistsAsync(engine, spec.Image, cancellationToken).ConfigureAwait(false))
        {
            if (policy == ImagePullPolicy.Never)
            {
                throw new DistributedApplicationException(
                    $"Image '{spec.Image}' of '{spec.ResourceName}' is not present locally, and Stack:PullPolicy=never forbids pulling it. " +
                    $"Build it locally: {BuildHint(spec)} Or let the stack pull it from its registry: Stack:PullPolicy=missing.");
            }

            var (_, error) = await PullAsync(engine, spec.ResourceName, spec.Image, log, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new DistributedApplicationException(
                    $"Image '{spec.Image}' of '{spec.ResourceName}' is not present locally, and '{engine.Name} pull {spec.Image}' failed: {error}. " +
                    $"If the registry could not be reached from this machine, build the image locally: {BuildHint(spec)}");
            }

            result = await RunContainerAsync(engine, spec, name, args, cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            throw new DistributedApplicationException(
                $"'{engine.Name} run' of '{spec.ResourceName}' failed with exit code {result.ExitCode}: {result.Error}. Fix the cause above and start again.");
        }

        LogContainerStarted(logger, spec.ResourceName, name, engine.Name);
        return name;
    }

    /// <summary>Refuses a port of <paramref name="spec"/> that another process holds on 127.0.0.1, before anything is created.</summary>
    public static void CheckPorts(ContainerSpec spec)
    {
        foreach (var (hostPort, _) in spec.Ports)
        {
            if (!PortOwner.IsFree(hostPort))
            {
                throw new DistributedApplicationException(
                    $"Port {hostPort} on 127.0.0.1 is held by {PortOwner.Describe(hostPort) ?? "a process this stack did not start"}, so '{spec.ResourceName}' cannot publish it. " +
                    $"The stack never connects to a server it did not start. Stop that process, or change the port of '{spec.ResourceName}' in AppHost/Program.cs.");
            }
        }
    }

    /// <summary>
    /// Creates the stack network on the engine this stack uses, unless this AppHost made or adopted it already; on an engine
    /// remembered from last time whose command fails, detects the engine and tries there. Returns the engine the network is on,
    /// and whether this call created it. Callers run it concurrently with their own checks (<see cref="CheckVolumeAsync"/>) to
    /// save a round trip to the engine.
    /// </summary>
    public async Task<(ContainerEngine Engine, bool Created)> EnsureNetworkAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        // Tracked from its first step on (before the network lock is taken): a stop waits for it before removing the network. On
        // the thread pool: starting the CLI blocks its thread (and the first start in a process loads the process classes), which
        // held the caller's start-up for 0.2-0.4 s on a loaded machine (measured).
        var making = Task.Run(() => EnsureNetworkCoreAsync(resourceName, cancellationToken), CancellationToken.None);
        lock (_making)
        {
            _making.Add(making);
        }

        try
        {
            return await making.ConfigureAwait(false);
        }
        finally
        {
            lock (_making)
            {
                _making.Remove(making);
            }
        }
    }

    private async Task<(ContainerEngine Engine, bool Created)> EnsureNetworkCoreAsync(string resourceName, CancellationToken cancellationToken)
    {
        var (engine, verified) = await locator.LikelyAsync(resourceName, cancellationToken).ConfigureAwait(false);
        try
        {
            return (engine, await EnsureNetworkAsync(engine, cancellationToken).ConfigureAwait(false));
        }
        catch (DistributedApplicationException) when (!verified)
        {
            locator.ForgetHint();
            engine = await locator.RequireAsync(resourceName, cancellationToken).ConfigureAwait(false);
            return (engine, await EnsureNetworkAsync(engine, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Whether the named volume exists (it is created by the first <c>run</c> that mounts it), and the engine that answered (on a
    /// remembered engine that fails, the one detected then).
    /// </summary>
    public async Task<(ContainerEngine Engine, bool Exists)> CheckVolumeAsync(string resourceName, string volume, CancellationToken cancellationToken = default)
    {
        var (engine, verified) = await locator.LikelyAsync(resourceName, cancellationToken).ConfigureAwait(false);
        if (engine.Api is { } api)
        {
            try
            {
                return (engine, await api.VolumeExistsAsync(volume, cancellationToken).ConfigureAwait(false));
            }
            catch (DistributedApplicationException) when (!verified)
            {
                // The engine remembered from last time does not answer: detected again below, which says what answers.
            }
        }
        else
        {
            var result = await engine.RunAsync(["volume", "inspect", "--format", "{{.Name}}", volume], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || verified)
            {
                return (engine, result.Succeeded);
            }
        }

        locator.ForgetHint();
        engine = await locator.RequireAsync(resourceName, cancellationToken).ConfigureAwait(false);
        return (engine, engine.Api is { } detected
            ? await detected.VolumeExistsAsync(volume, cancellationToken).ConfigureAwait(false)
            : (await engine.RunAsync(["volume", "inspect", "--format", "{{.Name}}", volume], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded);
    }

    /// <summary>
    /// Returns the stack network's gateway address (the host's address on that network), creating the network first when needed, or
    /// <see langword="null"/> when the engine reports none. The OTLP receiver listens there so that the stack's containers reach it.
    /// </summary>
    public async Task<System.Net.IPAddress?> NetworkGatewayAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var (engine, _) = await EnsureNetworkAsync(resourceName, cancellationToken).ConfigureAwait(false);
        var result = await engine.RunAsync(["network", "inspect", NetworkName], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? NetworkGateway.Parse(result.StandardOutput) : null;
    }

    /// <summary>Removes the stack network when this AppHost created or adopted it (after its containers are gone).</summary>
    public async Task RemoveNetworkAsync(CancellationToken cancellationToken = default)
    {
        Task[] making;
        lock (_making)
        {
            making = [.. _making];
        }

        try
        {
            // A network still being made (begun early, concurrently with a start's checks) is made before it is removed.
            await Task.WhenAll(making).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DistributedApplicationException or OperationCanceledException)
        {
            // Not made: nothing to remove for it.
        }

        await _networkLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_networkEngine is not { } engine)
            {
                return;
            }

            var result = await engine.RunAsync(["network", "rm", NetworkName], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && await ExistsAsync(engine, ["network", "inspect", NetworkName], cancellationToken).ConfigureAwait(false))
            {
                LogNetworkNotRemoved(logger, NetworkName, result.Error);
                return;
            }

            _networkEngine = null;
        }
        finally
        {
            _networkLock.Release();
        }
    }

    /// <summary>Removes the named volumes this stack mounted (test stacks do this on dispose; a dev stack keeps its data).</summary>
    public async Task RemoveVolumesAsync(CancellationToken cancellationToken = default)
    {
        if (_volumes.IsEmpty)
        {
            return;
        }

        if (_usedEngine is not { } engine)
        {
            return;
        }

        foreach (var volume in _volumes.Keys)
        {
            var result = await engine.RunAsync(["volume", "rm", "-f", volume], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.Succeeded || !await ExistsAsync(engine, ["volume", "inspect", volume], cancellationToken).ConfigureAwait(false))
            {
                _volumes.TryRemove(volume, out _);
            }
        }
    }

    private async Task<bool> EnsureNetworkAsync(ContainerEngine engine, CancellationToken cancellationToken)
    {
        await _networkLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_networkEngine is { } made)
            {
                if (made.Command == engine.Command)
                {
                    return false;
                }

                // Made on the engine remembered from last time, which then failed a command: it goes there, the stack moves.
                _ = await made.RunAsync(["network", "rm", NetworkName], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
                _networkEngine = null;
            }

            var result = await engine.RunAsync(["network", "create", "--label", $"{StackLabel}={NetworkName}", NetworkName], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && !await ExistsAsync(engine, ["network", "inspect", NetworkName], cancellationToken).ConfigureAwait(false))
            {
                throw new DistributedApplicationException(
                    $"The stack network '{NetworkName}' could not be created: {result.Error}. Check '{engine.Name} network ls', or give the stack another name (Stack:Name).");
            }

            _networkEngine = engine;
            _usedEngine = engine;
            return true;
        }
        finally
        {
            _networkLock.Release();
        }
    }

    private List<string> RunArguments(ContainerSpec spec, string name) => RunArguments(spec, name, NetworkName);

    /// <summary>The CLI's <c>run -d</c> arguments of <paramref name="spec"/> as container <paramref name="name"/> of the stack <paramref name="networkName"/> (also what <see cref="EarlyPostgresContainer"/> runs).</summary>
    internal static List<string> RunArguments(ContainerSpec spec, string name, string networkName)
    {
        var args = new List<string> { "run", "-d", "--pull=never", "--name", name, "--label", $"{StackLabel}={networkName}" };
        if (!spec.JoinsNetworkAfterStart)
        {
            args.AddRange(["--network", networkName, "--network-alias", spec.ResourceName]);
        }

        foreach (var (hostPort, targetPort) in spec.Ports)
        {
            args.AddRange(["-p", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{hostPort}:{targetPort}")]);
        }

        foreach (var key in spec.Environment.Keys)
        {
            args.AddRange(["-e", key]); // the value comes from the CLI's environment: secrets stay out of argv
        }

        foreach (var mount in spec.Mounts)
        {
            args.AddRange(["-v", $"{mount.Source}:{mount.Target}{(mount.ReadOnly ? ":ro" : string.Empty)}"]);
        }

        foreach (var tmpfs in spec.Tmpfs)
        {
            args.AddRange(["--tmpfs", tmpfs]);
        }

        if (spec.User is { } user)
        {
            args.AddRange(["--user", user]);
        }

        if (spec.Entrypoint is { } entrypoint)
        {
            args.AddRange(["--entrypoint", entrypoint]);
        }

        args.Add(spec.Image);
        args.AddRange(spec.Args);
        return args;
    }

    /// <summary>
    /// Runs <c>pull</c>, every line of its output into <paramref name="log"/> and the console; returns the engine's own error when it
    /// fails (<see langword="null"/> when it succeeded).
    /// </summary>
    private async Task<(TimeSpan Elapsed, string? Error)> PullAsync(ContainerEngine engine, string resourceName, string image, Action<string, bool> log, CancellationToken cancellationToken)
    {
        var policy = ImagePullPolicies.Name(PullPolicy);
        LogPulling(logger, resourceName, image, engine.Name, policy);
        log($"Pulling image {image} ('{engine.Name} pull', Stack:PullPolicy={policy})...", false);
        var errors = new List<string>();
        var tail = new Queue<string>();
        var watch = Stopwatch.StartNew();
        int exitCode;
        try
        {
            var result = await engine.Stream(["pull", image], (line, isError) =>
            {
                if (line.Length == 0 || line.Contains("failed to connect to syslog", StringComparison.Ordinal))
                {
                    return;
                }

                lock (errors)
                {
                    if (line.StartsWith("Error", StringComparison.OrdinalIgnoreCase))
                    {
                        errors.Add(line.Trim());
                    }

                    tail.Enqueue(line.Trim());
                    if (tail.Count > 3)
                    {
                        tail.Dequeue();
                    }
                }

                log(line, isError);
                LogPullOutput(logger, resourceName, line);
            }, cancellationToken).ConfigureAwait(false);
            exitCode = result.ExitCode;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || (ex is InvalidOperationException && ex.InnerException is System.ComponentModel.Win32Exception))
        {
            return (watch.Elapsed, $"the engine's CLI '{engine.Command}' could not be run ({ex.Message})");
        }

        if (exitCode == 0)
        {
            log(string.Create(CultureInfo.InvariantCulture, $"Pulled image {image} in {watch.Elapsed.TotalSeconds:0.0} s."), false);
            LogPulled(logger, resourceName, image, watch.Elapsed.TotalSeconds);
            return (watch.Elapsed, null);
        }

        string error;
        lock (errors)
        {
            error = errors.Count > 0 ? string.Join(" ", errors) : tail.Count > 0 ? string.Join(" ", tail) : $"exit code {exitCode}, no output";
        }

        log($"Pulling image {image} failed: {error}", true);
        LogPullFailed(logger, resourceName, image, error);
        return (watch.Elapsed, error);
    }

    private static string BuildHint(ContainerSpec spec) =>
        spec.ImageHint ?? $"eng/containers/dotnet-app/build-image.sh <project.csproj> {spec.Image} builds one for a project of this repository.";

    private static async Task<bool> ExistsAsync(ContainerEngine engine, IReadOnlyList<string> inspect, CancellationToken cancellationToken) =>
        (await engine.RunAsync(inspect, cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>Runs <c>run -d</c> of <paramref name="spec"/>: through Docker's API (create + start, the same container) when the engine has it, else its CLI.</summary>
    private Task<ContainerCommandResult> RunContainerAsync(ContainerEngine engine, ContainerSpec spec, string name, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        engine.Api is { } api
            ? api.RunAsync(name, DockerContainerConfig.For(spec, NetworkName, StackLabel), cancellationToken)
            : engine.RunAsync(args, spec.Environment, cancellationToken: cancellationToken);

    private static async Task<bool> ImageExistsAsync(ContainerEngine engine, string image, CancellationToken cancellationToken) =>
        engine.Api is { } api
            ? await api.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false)
            : await ExistsAsync(engine, ["image", "inspect", "--format", "{{.Id}}", image], cancellationToken).ConfigureAwait(false);

    private static async Task<bool> ContainerExistsAsync(ContainerEngine engine, string name, CancellationToken cancellationToken) =>
        engine.Api is { } api
            ? await api.ContainerExistsAsync(name, cancellationToken).ConfigureAwait(false)
            : await ExistsAsync(engine, ["container", "inspect", "--format", "{{.Id}}", name], cancellationToken).ConfigureAwait(false);

    private static Task<ContainerCommandResult> RemoveContainerAsync(ContainerEngine engine, string name, CancellationToken cancellationToken) =>
        engine.Api is { } api ? api.RemoveAsync(name, cancellationToken) : engine.RunAsync(["rm", "-f", "-v", name], cancellationToken: cancellationToken);

    [LoggerMessage(EventId = LogEvents.ContainerStarted, Level = LogLevel.Debug, Message = "Started container '{ContainerName}' of '{ResourceName}' on {Engine}")]
    private static partial void LogContainerStarted(ILogger logger, string resourceName, string containerName, string engine);

    [LoggerMessage(EventId = LogEvents.StaleContainerRemoved, Level = LogLevel.Warning, Message = "Removing the container '{ContainerName}' of '{ResourceName}' left by an earlier AppHost")]
    private static partial void LogStaleContainer(ILogger logger, string resourceName, string containerName);

    [LoggerMessage(EventId = LogEvents.ImagePulling, Level = LogLevel.Information, Message = "{ResourceName}: pulling image {Image} with {Engine} (Stack:PullPolicy={Policy})")]
    private static partial void LogPulling(ILogger logger, string resourceName, string image, string engine, string policy);

    [LoggerMessage(EventId = LogEvents.ImagePullOutput, Level = LogLevel.Information, Message = "{ResourceName}: {Line}")]
    private static partial void LogPullOutput(ILogger logger, string resourceName, string line);

    [LoggerMessage(EventId = LogEvents.ImagePulled, Level = LogLevel.Information, Message = "{ResourceName}: pulled image {Image} in {Seconds:0.0} s")]
    private static partial void LogPulled(ILogger logger, string resourceName, string image, double seconds);

    [LoggerMessage(EventId = LogEvents.ImagePullFailed, Level = LogLevel.Warning, Message = "{ResourceName}: pulling image {Image} failed: {Error}")]
    private static partial void LogPullFailed(ILogger logger, string resourceName, string image, string error);

    [LoggerMessage(EventId = LogEvents.NetworkJoinFailed, Level = LogLevel.Warning, Message = "{ResourceName}: the container '{ContainerName}' did not join the stack network '{Network}': {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, string resourceName, string containerName, string network, string reason);

    [LoggerMessage(EventId = LogEvents.UnclaimedContainerNotStopped, Level = LogLevel.Warning, Message = "{ResourceName}: the container started ahead of its start could not be stopped: {Reason}")]
    private static partial void LogUnclaimedNotStopped(ILogger logger, string resourceName, string reason);

    [LoggerMessage(EventId = LogEvents.NetworkNotRemoved, Level = LogLevel.Warning, Message = "The stack network '{Network}' was not removed: {Reason}")]
    private static partial void LogNetworkNotRemoved(ILogger logger, string network, string reason);
}
