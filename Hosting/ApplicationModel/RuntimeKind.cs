namespace StackModel.Hosting.ApplicationModel;

/// <summary>Where a resource with a runtime choice runs, once the choice is resolved at start.</summary>
internal enum RuntimeKind
{
    /// <summary>A container on the stack's network (network context <see cref="NetworkContext.ContainerNetwork"/>).</summary>
    Container,

    /// <summary>A process on the host (network context <see cref="NetworkContext.Host"/>).</summary>
    Executable,

    /// <summary>Not run at all; shown as NotStarted and disabled, so nothing waits for it.</summary>
    Off,
}
