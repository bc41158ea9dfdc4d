namespace StackModel.Hosting.Runtimes;

/// <summary>
/// Tells whether a container engine answers, for resources that run as a container when one does and otherwise as a host
/// command (LiteLLM). The container runtime registers its own probe; until then <see cref="NoContainerEngine"/> answers no.
/// </summary>
internal interface IContainerEngineProbe
{
    /// <summary>Returns <see langword="true"/> when containers can be started by this stack. May ask the engine once; cached by the caller.</summary>
    bool Answers();
}
