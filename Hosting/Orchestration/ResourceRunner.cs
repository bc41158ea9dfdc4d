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

    /// <summary>Starts the resource; returns once it runs (not necessarily healthy). Throws <see cref="DistributedApplicationException"/> when it cannot start.</summary>
    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops the resource.</summary>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    protected void Publish(Func<ResourceSnapshot, ResourceSnapshot> update) => Context.Notifications.Update(Resource.Name, update);

    protected void Log(string line, bool isError = false) => Context.Logs.Write(Resource.Name, line, isError);
}
