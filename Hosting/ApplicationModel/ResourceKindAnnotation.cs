namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// What a kind of resource says about itself, registered by its <c>Add…</c> method in its own folder (<c>AddPostgres</c>,
/// <c>AddDatabase</c>, <c>AddLiteLLM</c>): its display name, who starts it, whether it reports its own readiness, and the URLs
/// shown for it. The orchestrator, the wait rules, the dashboard, the placement and the testing helpers ask
/// <see cref="Of"/> instead of testing the resource's type. A resource without one is a plain project, executable or container.
/// </summary>
internal sealed class ResourceKindAnnotation : IResourceAnnotation
{
    /// <summary>Gets the type shown in the console, the dashboard and the graph, e.g. <c>Postgres</c>.</summary>
    public required string DisplayType { get; init; }

    /// <summary>Gets who starts it.</summary>
    public ResourceStarter Starter { get; init; } = ResourceStarter.Placement;

    /// <summary>
    /// Gets whether it says itself when it is ready (its runner publishes Healthy once it accepts work, as PostgreSQL's does):
    /// <c>WaitFor</c> then waits for Healthy, the dashboard shows Checking until then, and Running alone does not settle it.
    /// </summary>
    public bool ReportsReadiness { get; init; }

    /// <summary>Gets the URLs shown for it, as a host process reaches it; <see langword="null"/>: one per endpoint.</summary>
    public Func<IResource, IReadOnlyList<string>>? HostUrls { get; init; }

    /// <summary>Returns what <paramref name="resource"/>'s kind says, or the plain kind of its base type.</summary>
    public static ResourceKindAnnotation Of(IResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Annotations.OfType<ResourceKindAnnotation>().LastOrDefault() ?? resource switch
        {
            ProjectResource => Project,
            ContainerResource => Container,
            ExecutableResource => Executable,
            ParameterResource => Parameter,
            _ => new ResourceKindAnnotation { DisplayType = resource.GetType().Name.Replace("Resource", string.Empty, StringComparison.Ordinal) },
        };
    }

    /// <summary>Whether <paramref name="resource"/> is known to be ready only once it says so: its kind reports readiness, or it declares an HTTP health check.</summary>
    public static bool HasReadinessCheck(IResource resource) =>
        Of(resource).ReportsReadiness || resource.Annotations.OfType<HttpHealthCheckAnnotation>().Any();

    private static ResourceKindAnnotation Project { get; } = new() { DisplayType = "Project" };

    private static ResourceKindAnnotation Container { get; } = new() { DisplayType = "Container" };

    private static ResourceKindAnnotation Executable { get; } = new() { DisplayType = "Executable" };

    private static ResourceKindAnnotation Parameter { get; } = new() { DisplayType = "Parameter", Starter = ResourceStarter.None };
}
