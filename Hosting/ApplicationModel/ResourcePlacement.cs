namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// Where a resource runs, decided once in <see cref="DistributedApplication.Prepare()"/> for every resource and kept on it
/// (<see cref="ResourcePlacementAnnotation"/>): the runners, the dashboard, the <c>env</c> verb, reset and the testing builder
/// read it; nobody derives it again from the resource's type or its configuration.
/// </summary>
/// <param name="Kind">Where it runs: a host process, a container on the stack network, or not at all.</param>
/// <param name="Context">The network context its environment is rendered for (a resource that is off: where it would run).</param>
/// <param name="Why">Why it runs there, as said in its log (e.g. <c>LiteLLM:Runtime=executable</c>).</param>
internal sealed record ResourcePlacement(PlacementKind Kind, NetworkContext Context, string Why)
{
    /// <summary>Gets the configured setting the placement came from (<c>auto</c>, <c>container</c>, …), or <see langword="null"/> when the declaration decides.</summary>
    public string? Setting { get; init; }

    /// <summary>Gets the configuration key of that setting (e.g. <c>LiteLLM:Runtime</c>), or <see langword="null"/>.</summary>
    public string? SettingKey { get; init; }

    /// <summary>Gets the program run for a resource placed as a host command instead of its declared container (<see cref="PlacementChoiceAnnotation"/>).</summary>
    public string? Program { get; init; }

    /// <summary>Gets the arguments put before the resource's own (e.g. the dll of <c>dotnet app.dll</c>).</summary>
    public IReadOnlyList<string> LeadingArgs { get; init; } = [];

    /// <summary>Gets the working directory of <see cref="Program"/> (the AppHost project folder).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Gets why the resource is off (<see cref="PlacementKind.Off"/>), or why it cannot start where it is placed (it then ends in
    /// FailedToStart with this reason); <see langword="null"/> when it can start.
    /// </summary>
    public string? Problem { get; init; }

    /// <summary>
    /// Gets whether the placement is the declared one standing in for an <c>auto</c> choice that needs a container engine's
    /// answer: a verb that starts nothing (<c>env</c>) never asks an engine; the stack's start decides for real.
    /// </summary>
    public bool Provisional { get; init; }

    /// <summary>Gets the name shown for the placement (<c>process</c>, <c>container</c>; empty when off).</summary>
    public string Name => Kind switch
    {
        PlacementKind.Process => "process",
        PlacementKind.Container => "container",
        _ => string.Empty,
    };

    /// <summary>Returns the placement of <paramref name="resource"/>; throws when the application was not prepared.</summary>
    public static ResourcePlacement Of(IResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return TryOf(resource) ?? throw new InvalidOperationException(
            $"Resource '{resource.Name}' has no placement yet; it is decided by DistributedApplication.Prepare(), which every verb and the start call first.");
    }

    /// <summary>Returns the placement of <paramref name="resource"/>, or <see langword="null"/> before <see cref="DistributedApplication.Prepare()"/>.</summary>
    public static ResourcePlacement? TryOf(IResource resource) =>
        resource.Annotations.OfType<ResourcePlacementAnnotation>().LastOrDefault()?.Placement;

    /// <summary>The network context of a placement kind.</summary>
    public static NetworkContext ContextOf(PlacementKind kind) => kind == PlacementKind.Container ? NetworkContext.ContainerNetwork : NetworkContext.Host;
}
