using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>Runs one resource once: started, then watched until it exits or is stopped.</summary>
internal abstract class ResourceRunner
{
    protected ResourceRunner(IResource resource, OrchestratorContext context)
    {
        Resource = resource;
        Context = context;
    }

    public IResource Resource { get; }

    protected OrchestratorContext Context { get; }

    /// <summary>Completes when the resource has stopped running, whatever the reason.</summary>
    public abstract Task Completion { get; }

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

    protected void Publish(Func<ResourceSnapshot, ResourceSnapshot> update) => Context.Notifications.Update(Resource.Name, update);

    protected void Log(string line, bool isError = false) => Context.Logs.Write(Resource.Name, line, isError);
}
