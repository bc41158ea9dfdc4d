using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;

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

    public static bool IsRunnable(IResource resource) => resource is PostgresServerResource or ProjectResource or ExecutableResource or ContainerResource;

    public static bool HasHealthCheck(IResource resource) =>
        resource is PostgresServerResource or PostgresDatabaseResource || resource.Annotations.OfType<HttpHealthCheckAnnotation>().Any();

    private static string Health(IResource resource, ResourceSnapshot s) => s.State switch
    {
        ResourceState.Healthy => "Healthy",
        ResourceState.Unhealthy => "Unhealthy",
        ResourceState.Running or ResourceState.Starting when HasHealthCheck(resource) => "Checking",
        _ => string.Empty,
    };
}
