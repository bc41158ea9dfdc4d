using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Runs one resource once: started, then watched until it exits or is stopped. The lifecycle every runner shares is here, once:
/// Starting (<see cref="PublishStarting"/>) → Running (<see cref="PublishRunning"/>) → Stopping (<see cref="StopRunningAsync"/>)
/// → how it ended (<see cref="PublishExit"/>: Stopped when the stack stopped it, Finished on exit code 0, Exited otherwise,
/// with the signal named by <see cref="ExitStatus"/>) → <see cref="Completion"/>.
/// </summary>
internal abstract class ResourceRunner
{
    /// <summary>How long a stop waits for the exit to be reported once what runs the resource was told to stop.</summary>
    private static readonly TimeSpan ExitReportTimeout = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    protected ResourceRunner(IResource resource, OrchestratorContext context)
    {
        Resource = resource;
        Context = context;
    }

    public IResource Resource { get; }

    protected OrchestratorContext Context { get; }

    /// <summary>Completes when the resource has stopped running, whatever the reason.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Gets a value indicating whether the stack is stopping the resource (its exit is then Stopped, not a failure).</summary>
    protected bool IsStopping => _stopping;

    /// <summary>Gets a value indicating whether a resource that exits with code 0 unasked has Finished (a job); a server says no: it Exited.</summary>
    protected virtual bool FinishesOnCleanExit => true;

    /// <summary>
    /// Called before the resource waits for its dependencies: a runner that can start early (a process held at its start gate)
    /// does so here, and <see cref="StartAsync"/> then opens the gate. Does nothing by default.
    /// </summary>
    public virtual Task PrestartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts the resource; returns once it runs (not necessarily healthy). Throws <see cref="DistributedApplicationException"/> when it cannot start.</summary>
    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Undoes <see cref="PrestartAsync"/> when the resource will not start after all (a dependency failed): stops what was started
    /// early without publishing a state, so the reason already published stays. Does nothing by default.
    /// </summary>
    public virtual Task AbandonAsync() => Task.CompletedTask;

    /// <summary>Stops the resource.</summary>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Publishes Starting, clearing what the previous run left (exit code, stop time, reason, waits).</summary>
    /// <param name="placement">Where it runs, shown in the Runtime column (<c>process</c>, <c>container</c>).</param>
    protected void PublishStarting(string placement) =>
        Publish(s => s with { State = ResourceState.Starting, Runtime = placement, StartedAt = DateTimeOffset.UtcNow, StoppedAt = null, ExitCode = null, Reason = null, WaitingFor = [], Urls = ResourceTypes.HostUrls(Resource) });

    /// <summary>Publishes Running, unless something (an exit, a health check) already moved it on from Starting.</summary>
    protected void PublishRunning() => Publish(s => s.State == ResourceState.Starting ? s with { State = ResourceState.Running } : s);

    /// <summary>
    /// Stops what runs the resource: marks the stop as the stack's, publishes Stopping (unless it already ended), runs
    /// <paramref name="stop"/> and waits for the exit to be reported. <paramref name="stop"/> <see langword="null"/>: nothing was started.
    /// </summary>
    protected async Task StopRunningAsync(Func<CancellationToken, Task>? stop, CancellationToken cancellationToken)
    {
        if (stop is null)
        {
            _completion.TrySetResult();
            return;
        }

        _stopping = true;
        if (!_completion.Task.IsCompleted)
        {
            Publish(s => s with { State = ResourceState.Stopping });
        }

        await stop(cancellationToken).ConfigureAwait(false);
        await _completion.Task.WaitAsync(ExitReportTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state a resource ends in when what runs it exited with <paramref name="exitCode"/>.</summary>
    protected ResourceState StateOnExit(int exitCode) =>
        _stopping ? ResourceState.Stopped : exitCode == 0 && FinishesOnCleanExit ? ResourceState.Finished : ResourceState.Exited;

    /// <summary>Publishes how the resource ended (<see cref="StateOnExit"/>) and completes <see cref="Completion"/>.</summary>
    /// <param name="exitCode">The exit code.</param>
    /// <param name="reason">Why it failed, when it did; by default how it ended, with the signal named (<see cref="ExitStatus"/>).</param>
    /// <param name="state">The state to publish instead of <see cref="StateOnExit"/> (FailedToStart while starting).</param>
    protected void PublishExit(int exitCode, string? reason = null, ResourceState? state = null)
    {
        var ended = state ?? StateOnExit(exitCode);
        Publish(s => s with
        {
            State = ended,
            ExitCode = exitCode,
            StoppedAt = DateTimeOffset.UtcNow,
            Reason = ended is ResourceState.Stopped or ResourceState.Finished ? null : reason ?? DescribeExit(exitCode) + "; see its log.",
        });
        Complete();
    }

    /// <summary>Completes <see cref="Completion"/> without publishing (a run abandoned before it started).</summary>
    protected void Complete() => _completion.TrySetResult();

    /// <summary>"Exited with code 3", or "Was killed by SIGKILL (exit code 137)".</summary>
    protected static string DescribeExit(int exitCode) => ExitStatus.SignalName(exitCode) is null
        ? $"Exited with code {exitCode}"
        : "W" + ExitStatus.Describe(exitCode)[1..];

    protected void Publish(Func<ResourceSnapshot, ResourceSnapshot> update) => Context.Notifications.Update(Resource.Name, update);

    protected void Log(string line, bool isError = false) => Context.Logs.Write(Resource.Name, line, isError);
}
