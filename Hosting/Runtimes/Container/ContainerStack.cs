using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// The stack's containers on one engine: a network named after the stack (<see cref="StackOptions.Name"/>), containers named
/// <c>&lt;stack&gt;-&lt;resource&gt;</c> with the resource name as network alias, ports published on 127.0.0.1 only, images never
/// pulled (<c>--pull=never</c>). The network is removed when the stack stops; named volumes are kept.
/// </summary>
internal sealed partial class ContainerStack(StackOptions options, ContainerEngineLocator locator, ILogger<ContainerStack> logger)
{
    /// <summary>The label every container, network and volume of a stack carries.</summary>
    public const string StackLabel = "io.stackmodel.stack";

    private readonly SemaphoreSlim _networkLock = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _volumes = new(StringComparer.Ordinal);
    private ContainerEngine? _networkEngine;
    private ContainerEngine? _usedEngine;

    /// <summary>Gets the stack's name: its network's name and its containers' prefix.</summary>
    public string Name => options.Name;

    /// <summary>Gets the engine detection (runs <c>info</c> once).</summary>
    public ContainerEngineLocator Locator => locator;

    /// <summary>Gets the named volumes this stack's containers mounted since the AppHost started.</summary>
    public IReadOnlyCollection<string> Volumes => _volumes.Keys.ToArray();

    public string ContainerName(string resourceName) => $"{Name}-{resourceName}";

    public string VolumeName(string resourceName, string purpose) => $"{Name}-{resourceName}-{purpose}";

    /// <summary>Starts a container on the stack network and follows its output into <paramref name="log"/>.</summary>
    public async Task<RunningContainer> RunAsync(ContainerSpec spec, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        var (engine, verified) = await locator.LikelyAsync(spec.ResourceName, cancellationToken).ConfigureAwait(false);
        foreach (var (hostPort, _) in spec.Ports)
        {
            if (!PortOwner.IsFree(hostPort))
            {
                throw new DistributedApplicationException(
                    $"Port {hostPort} on 127.0.0.1 is held by {PortOwner.Describe(hostPort) ?? "a process this stack did not start"}, so '{spec.ResourceName}' cannot publish it. " +
                    $"The stack never connects to a server it did not start. Stop that process, or change the port of '{spec.ResourceName}' in AppHost/Program.cs.");
            }
        }

        try
        {
            // The first command of a start: on an engine remembered from last time it also proves the engine answers.
            await EnsureNetworkAsync(engine, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedApplicationException) when (!verified)
        {
            locator.ForgetHint();
            engine = await locator.RequireAsync(spec.ResourceName, cancellationToken).ConfigureAwait(false);
            await EnsureNetworkAsync(engine, cancellationToken).ConfigureAwait(false);
        }

        foreach (var mount in spec.Mounts.Where(m => m.IsVolume))
        {
            _volumes.TryAdd(mount.Source, 0);
        }

        var name = ContainerName(spec.ResourceName);
        var args = RunArguments(spec, name);
        var environment = spec.Environment;
        var result = await engine.RunAsync(args, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && await ExistsAsync(engine, ["container", "inspect", "--format", "{{.Id}}", name], cancellationToken).ConfigureAwait(false))
        {
            // A container of this stack left by an AppHost that was killed: it is ours by name, so it goes (its named volumes stay).
            LogStaleContainer(logger, spec.ResourceName, name);
            log($"Removing the container '{name}' left by an earlier AppHost (named volumes are kept).", false);
            _ = await engine.RunAsync(["rm", "-f", "-v", name], cancellationToken: cancellationToken).ConfigureAwait(false);
            result = await engine.RunAsync(args, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            if (!await ExistsAsync(engine, ["image", "inspect", "--format", "{{.Id}}", spec.Image], cancellationToken).ConfigureAwait(false))
            {
                throw new DistributedApplicationException(
                    $"Image '{spec.Image}' of '{spec.ResourceName}' is not present locally, and the stack never pulls (no registry can be reached from these machines). " +
                    (spec.ImageHint ?? $"Build it (eng/containers/dotnet-app/build-image.sh for a project of this repository), or '{engine.Name} pull {spec.Image}' where a registry is reachable."));
            }

            throw new DistributedApplicationException(
                $"'{engine.Name} run' of '{spec.ResourceName}' failed with exit code {result.ExitCode}: {result.Error}. Fix the cause above and start again.");
        }

        LogContainerStarted(logger, spec.ResourceName, name, engine.Name);
        return RunningContainer.Follow(engine, name, log);
    }

    /// <summary>Whether the named volume exists (it is created by the first <c>run</c> that mounts it).</summary>
    public async Task<bool> VolumeExistsAsync(string resourceName, string volume, CancellationToken cancellationToken = default)
    {
        var (engine, verified) = await locator.LikelyAsync(resourceName, cancellationToken).ConfigureAwait(false);
        var result = await engine.RunAsync(["volume", "inspect", "--format", "{{.Name}}", volume], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Succeeded || verified)
        {
            return result.Succeeded;
        }

        locator.ForgetHint();
        engine = await locator.RequireAsync(resourceName, cancellationToken).ConfigureAwait(false);
        return (await engine.RunAsync(["volume", "inspect", "--format", "{{.Name}}", volume], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded;
    }

    /// <summary>Removes the stack network when this AppHost created or adopted it (after its containers are gone).</summary>
    public async Task RemoveNetworkAsync(CancellationToken cancellationToken = default)
    {
        await _networkLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_networkEngine is not { } engine)
            {
                return;
            }

            var result = await engine.RunAsync(["network", "rm", Name], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && await ExistsAsync(engine, ["network", "inspect", Name], cancellationToken).ConfigureAwait(false))
            {
                LogNetworkNotRemoved(logger, Name, result.Error);
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

    private async Task EnsureNetworkAsync(ContainerEngine engine, CancellationToken cancellationToken)
    {
        await _networkLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_networkEngine is not null)
            {
                return;
            }


            var result = await engine.RunAsync(["network", "create", "--label", $"{StackLabel}={Name}", Name], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded && !await ExistsAsync(engine, ["network", "inspect", Name], cancellationToken).ConfigureAwait(false))
            {
                throw new DistributedApplicationException(
                    $"The stack network '{Name}' could not be created: {result.Error}. Check '{engine.Name} network ls', or give the stack another name (Stack:Name).");
            }

            _networkEngine = engine;
            _usedEngine = engine;
        }
        finally
        {
            _networkLock.Release();
        }
    }

    private List<string> RunArguments(ContainerSpec spec, string name)
    {
        var args = new List<string> { "run", "-d", "--pull=never", "--name", name, "--label", $"{StackLabel}={Name}" };
        args.AddRange(["--network", Name, "--network-alias", spec.ResourceName]);
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

        args.Add(spec.Image);
        args.AddRange(spec.Args);
        return args;
    }

    private static async Task<bool> ExistsAsync(ContainerEngine engine, IReadOnlyList<string> inspect, CancellationToken cancellationToken) =>
        (await engine.RunAsync(inspect, cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded;

    [LoggerMessage(EventId = LogEvents.ContainerStarted, Level = LogLevel.Debug, Message = "Started container '{ContainerName}' of '{ResourceName}' on {Engine}")]
    private static partial void LogContainerStarted(ILogger logger, string resourceName, string containerName, string engine);

    [LoggerMessage(EventId = LogEvents.StaleContainerRemoved, Level = LogLevel.Warning, Message = "Removing the container '{ContainerName}' of '{ResourceName}' left by an earlier AppHost")]
    private static partial void LogStaleContainer(ILogger logger, string resourceName, string containerName);

    [LoggerMessage(EventId = LogEvents.NetworkNotRemoved, Level = LogLevel.Warning, Message = "The stack network '{Network}' was not removed: {Reason}")]
    private static partial void LogNetworkNotRemoved(ILogger logger, string network, string reason);
}
