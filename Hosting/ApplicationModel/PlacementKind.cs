namespace StackModel.Hosting.ApplicationModel;

/// <summary>Where a resource runs (its placement, see <see cref="ResourcePlacement"/>).</summary>
internal enum PlacementKind
{
    /// <summary>A process on the host (network context <see cref="NetworkContext.Host"/>).</summary>
    Process,

    /// <summary>A container on the stack's network (network context <see cref="NetworkContext.ContainerNetwork"/>).</summary>
    Container,

    /// <summary>Not run at all; shown as NotStarted and disabled, so nothing waits for it.</summary>
    Off,
}
