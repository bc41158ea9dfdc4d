using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Dashboard;

/// <summary>Turns the latest snapshots into the rows of the resources table, in start order.</summary>
internal static class ResourceViews
{
    public static IReadOnlyList<ResourceView> Build(DashboardContext context) =>
        context.Orchestrator.Resources
            .Select(r => (Resource: r, Snapshot: context.Notifications.TryGetSnapshot(r.Name)))
            .Where(x => x.Snapshot is not null)
            .Select(x => Build(x.Resource, x.Snapshot!))
            .ToArray();

    public static ResourceView Build(IResource resource, ResourceSnapshot s)
    {
        var runnable = IsRunnable(resource);
        var running = s.State is ResourceState.Running or ResourceState.Healthy or ResourceState.Unhealthy;
        var idle = s.IsTerminal || s.State == ResourceState.NotStarted;
        return new ResourceView(
            s.Name,
            s.ResourceType,
            s.Runtime,
            s.State.ToString(),
            Health(resource, s),
            s.StartedAt,
            s.StoppedAt,
            s.ExitCode,
            s.WaitingFor,
            s.State == ResourceState.Waiting ? s.WaitingSince : null,
            s.Urls,
            s.Reason,
            CanStart: runnable && idle && !s.Disabled,
            CanStop: runnable && running,
            CanRestart: runnable && (running || s.IsTerminal) && !s.Disabled);
    }

    /// <summary>Whether the resource is started, stopped and restarted on its own (not a database, which goes with its server).</summary>
    public static bool IsRunnable(IResource resource) => ResourceKindAnnotation.Of(resource).Starter is ResourceStarter.Placement or ResourceStarter.PostgresLauncher;

    public static bool HasHealthCheck(IResource resource) => ResourceKindAnnotation.HasReadinessCheck(resource);

    private static string Health(IResource resource, ResourceSnapshot s) => s.State switch
    {
        ResourceState.Healthy => "Healthy",
        ResourceState.Unhealthy => "Unhealthy",
        ResourceState.Running or ResourceState.Starting when HasHealthCheck(resource) => "Checking",
        _ => string.Empty,
    };
}
