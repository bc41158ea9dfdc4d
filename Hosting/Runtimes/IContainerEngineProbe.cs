namespace StackModel.Hosting.Runtimes;

/// <summary>
/// Tells whether a container engine answers, for resources that run as a container when one does and otherwise as a host
/// command (LiteLLM). Registered by <see cref="Container.ContainerRuntimeServices"/>.
/// </summary>
internal interface IContainerEngineProbe
{
    /// <summary>Returns <see langword="true"/> when containers can be started by this stack. May ask the engine once; cached by the caller.</summary>
    bool Answers();

    /// <summary>Returns <see langword="true"/> when <paramref name="image"/> (with its tag) is present locally; the stack never pulls.</summary>
    bool HasImage(string image) => true;
}
