using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Starts every resource once what it waits for is ready, watches it, and stops the stack in reverse dependency order.
/// Resources can also be stopped, started and restarted one by one (the dashboard's actions).
/// </summary>
internal sealed partial class ApplicationOrchestrator : IAsyncDisposable
{
    private readonly OrchestratorContext _context;
    private readonly IPostgresRuntime _postgresRuntime;
    private readonly ContainerStack _containers;
    private readonly ILogger<ApplicationOrchestrator> _logger;
    private readonly ConcurrentDictionary<string, ResourceRunner> _runners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _launches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<IResource> _startOrder;
    private int _stopped;

    public ApplicationOrchestrator(OrchestratorContext context, IPostgresRuntime postgresRuntime, ContainerStack containers, ILogger<ApplicationOrchestrator> logger)
    {
        _context = context;
        _postgresRuntime = postgresRuntime;
        _containers = containers;
        _logger = logger;
        _startOrder = DependencyGraph.StartOrder(context.Model.Resources).Where(r => r is not ParameterResource).ToArray();
        foreach (var resource in _startOrder)
        {
            var placement = ResourcePlacement.Of(resource);
            context.Notifications.Publish(new ResourceSnapshot
            {
                Name = resource.Name,
                ResourceType = ResourceTypes.Of(resource),
                Runtime = ResourceKindAnnotation.Of(resource).Starter == ResourceStarter.Parent ? string.Empty : placement.Name, // a database runs in its server's placement
                Urls = ResourceTypes.HostUrls(resource),
                Disabled = placement.Kind == PlacementKind.Off,
                Reason = placement.Kind == PlacementKind.Off ? placement.Problem : null,
            });
        }
    }

    /// <summary>Gets the resources in start order (parameters excluded).</summary>
    public IReadOnlyList<IResource> Resources => _startOrder;

    /// <summary>
    /// Launches the PostgreSQL servers only; returns at once. A server's start (spawn → accepting → provisioned) is the longest
    /// path of a start and needs nothing but the state folder and the placement, so it runs while the rest of the stack is set
    /// up (control server, dashboard, telemetry); <see cref="Start"/> then launches the rest.
    /// </summary>
    public void StartServers()
    {
        foreach (var resource in _startOrder.Where(r => IsRunnable(r) && !IsTurnedOff(r) && ResourceKindAnnotation.Of(r).Starter == ResourceStarter.PostgresLauncher))
        {
            Launch(resource);
        }
    }

    /// <summary>Launches every resource not launched yet (<see cref="StartServers"/>); returns at once. Each resource starts when what it waits for is ready.</summary>
    public void Start()
    {
        foreach (var resource in _startOrder.Where(r => IsRunnable(r) && !IsTurnedOff(r) && !_launches.ContainsKey(r.Name)))
        {
            Launch(resource);
        }
    }

    /// <summary>Waits until no resource is starting or waiting any more.</summary>
    /// <summary>
    /// Waits until every resource has launched and none is still starting: servers healthy (or not), jobs — processes
    /// without endpoints, such as the migration runner — finished, each bounded by the startup timeout.
    /// </summary>
    public async Task WhenSettledAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_launches.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_context.Options.StartupTimeout);
        try
        {
            foreach (var resource in _startOrder)
            {
                await _context.Notifications.WaitForResourceAsync(resource.Name, s => IsSettled(resource, s), bounded.Token).ConfigureAwait(false);
            }

            // A container that joins the stack network after its start (PostgreSQL) is reachable by its alias only then.
            await _containers.WhenJoinedAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Something is still starting after the startup timeout; report what is known.
        }
    }

    private static bool IsSettled(IResource resource, ResourceSnapshot snapshot) => snapshot.State switch
    {
        ResourceState.Starting or ResourceState.Waiting or ResourceState.Stopping => false,
        ResourceState.Running => resource.Annotations.OfType<EndpointAnnotation>().Any() && !ResourceKindAnnotation.HasReadinessCheck(resource),
        ResourceState.NotStarted => snapshot.Disabled || snapshot.Reason is not null,
        _ => true,
    };

    public async Task StopResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var resource = Find(name);
        if (_launches.TryGetValue(resource.Name, out var launch) && !launch.IsCompleted)
        {
            throw new DistributedApplicationException($"Resource '{name}' is still starting; stop it once it runs, or stop the stack.");
        }

        if (_runners.TryRemove(resource.Name, out var runner))
        {
            await runner.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var resource = Find(name);
        if (!IsRunnable(resource))
        {
            throw new DistributedApplicationException($"Resource '{name}' is started by its parent; start '{((IResourceWithParent)resource).Parent.Name}' instead.");
        }

        if (IsTurnedOff(resource))
        {
            throw new DistributedApplicationException($"{ResourcePlacement.Of(resource).Problem} Change the setting and restart the AppHost.");
        }

        if (_runners.TryGetValue(resource.Name, out var running) && !running.Completion.IsCompleted)
        {
            throw new DistributedApplicationException($"Resource '{name}' is already running; use restart.");
        }

        _runners.TryRemove(resource.Name, out _);
        await Launch(resource).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RestartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        await StopResourceAsync(name, cancellationToken).ConfigureAwait(false);
        await StartResourceAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every resource, dependents first, PostgreSQL last (fast shutdown).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_launches.Values).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // A launch interrupted by the stop; its resource is stopped below.
        }

        foreach (var resource in _startOrder.Reverse())
        {
            if (_runners.TryRemove(resource.Name, out var runner))
            {
                try
                {
                    await runner.StopAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogStopFailed(_logger, resource.Name, ex.Message);
                }
            }

            var snapshot = _context.Notifications.TryGetSnapshot(resource.Name);
            if (snapshot is { State: ResourceState.Waiting or ResourceState.Starting })
            {
                _context.Notifications.Update(resource.Name, s => s with { State = ResourceState.Stopped, WaitingFor = [] });
            }
        }

        try
        {
            // A container started ahead of a start that never came (PostgreSQL's on a warm start) goes with the stack.
            await _containers.StopUnclaimedAsync(cancellationToken).ConfigureAwait(false);
            await _containers.RemoveNetworkAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedApplicationException ex)
        {
            LogStopFailed(_logger, _containers.NetworkName, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static bool IsRunnable(IResource resource) => ResourceKindAnnotation.Of(resource).Starter is ResourceStarter.Placement or ResourceStarter.PostgresLauncher;

    private static bool IsTurnedOff(IResource resource) => ResourcePlacement.Of(resource).Kind == PlacementKind.Off;

    private IResource Find(string name) =>
        _startOrder.FirstOrDefault(r => r.Name == name)
        ?? throw new DistributedApplicationException($"The stack has no resource named '{name}'. Resources: {string.Join(", ", _startOrder.Select(r => r.Name))}.");

    private Task Launch(IResource resource)
    {
        var task = Task.Run(() => LaunchAsync(resource, _stopping.Token));
        _launches[resource.Name] = task;
        return task;
    }

    private async Task LaunchAsync(IResource resource, CancellationToken cancellationToken)
    {
        try
        {
            ResourceRunner? early = null;
            if (resource.Annotations.OfType<StartGateAnnotation>().Any())
            {
                // Its process starts now and waits at its gate; stopping the stack meanwhile stops it like any runner.
                early = CreateRunner(resource);
                _runners[resource.Name] = early;
                await early.PrestartAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!await WaitForDependenciesAsync(resource, cancellationToken).ConfigureAwait(false))
            {
                if (early is not null && _runners.TryRemove(resource.Name, out _))
                {
                    await early.AbandonAsync().ConfigureAwait(false);
                }

                return;
            }

            var runner = early ?? CreateRunner(resource);
            _runners[resource.Name] = runner;
            await runner.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stack is stopping.
        }
        catch (Exception ex) when (ex is DistributedApplicationException or InvalidOperationException or IOException or UnauthorizedAccessException or Npgsql.NpgsqlException)
        {
            FailToStart(resource, ex.Message);
            if (_runners.TryRemove(resource.Name, out var runner))
            {
                await runner.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void FailToStart(IResource resource, string reason)
    {
        LogFailedToStart(_logger, resource.Name, reason);
        _context.Logs.Write(resource.Name, reason, isError: true);
        _context.Notifications.Update(resource.Name, s => s with { State = ResourceState.FailedToStart, Reason = reason, WaitingFor = [] });
        foreach (var child in _startOrder.OfType<IResourceWithParent>().Where(c => c.Parent == resource))
        {
            _context.Notifications.Update(child.Name, s => s with { State = ResourceState.FailedToStart, Reason = $"Its server '{resource.Name}' failed to start." });
        }
    }

    /// <summary>The runner for where the resource is placed (<see cref="ResourcePlacement"/>, decided in Prepare).</summary>
    /// <remarks>Who starts it is its kind's word (<see cref="ResourceKindAnnotation.Starter"/>); the runner, its placement's.</remarks>
    private ResourceRunner CreateRunner(IResource resource) => (ResourceKindAnnotation.Of(resource).Starter, ResourcePlacement.Of(resource), resource) switch
    {
        (_, { Problem: { } cannotStart }, _) => throw new DistributedApplicationException(cannotStart),
        (ResourceStarter.PostgresLauncher, _, PostgresServerResource server) => new PostgresServerRunner(server, _context, _postgresRuntime),
        (ResourceStarter.Placement, { Kind: PlacementKind.Process }, _) => new ProcessResourceRunner(resource, _context),
        (ResourceStarter.Placement, { Kind: PlacementKind.Container }, ContainerResource container) => new ContainerResourceRunner(container, _context, _containers),
        _ => throw new InvalidOperationException($"Resource '{resource.Name}' cannot be started on its own."),
    };

    /// <summary>Waits for what the resource waits for; returns <see langword="false"/> (after publishing FailedToStart) when a dependency failed.</summary>
    private async Task<bool> WaitForDependenciesAsync(IResource resource, CancellationToken cancellationToken)
    {
        var waits = resource.Annotations.OfType<WaitAnnotation>().ToList();
        var pending = waits.Select(w => w.Resource.Name).ToList();
        if (pending.Count > 0)
        {
            _context.Notifications.Update(resource.Name, s => s with { State = ResourceState.Waiting, WaitingFor = pending.ToArray(), WaitingSince = DateTimeOffset.UtcNow, Reason = null });
        }

        foreach (var wait in waits)
        {
            var snapshot = await _context.Notifications.WaitForResourceAsync(wait.Resource.Name, s => WaitRules.Outcome(wait, s) != WaitOutcome.Pending, cancellationToken).ConfigureAwait(false);
            if (WaitRules.Outcome(wait, snapshot) == WaitOutcome.Failed)
            {
                FailToStart(resource, $"It waits for '{wait.Resource.Name}', which is {snapshot.State}{(snapshot.Reason is null ? string.Empty : ": " + snapshot.Reason)}");
                return false;
            }

            if (snapshot.Disabled)
            {
                LogNotWaiting(_logger, resource.Name, wait.Resource.Name, snapshot.Reason ?? "it is turned off");
                _context.Logs.Write(resource.Name, $"Not waiting for '{wait.Resource.Name}': {snapshot.Reason ?? "it is turned off"}.");
            }

            pending.Remove(wait.Resource.Name);
            if (pending.Count > 0)
            {
                _context.Notifications.Update(resource.Name, s => s with { WaitingFor = pending.ToArray() });
            }
        }

        return true;
    }

    [LoggerMessage(EventId = LogEvents.ResourceFailedToStart, Level = LogLevel.Error, Message = "Resource '{ResourceName}' failed to start: {Reason}")]
    private static partial void LogFailedToStart(ILogger logger, string resourceName, string reason);

    [LoggerMessage(EventId = LogEvents.ResourceStopFailed, Level = LogLevel.Warning, Message = "Resource '{ResourceName}' could not be stopped cleanly: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string resourceName, string reason);

    [LoggerMessage(EventId = LogEvents.StartsWithoutWaiting, Level = LogLevel.Warning, Message = "Resource '{ResourceName}' starts without waiting for '{Dependency}': {Reason}")]
    private static partial void LogNotWaiting(ILogger logger, string resourceName, string dependency, string reason);
}
