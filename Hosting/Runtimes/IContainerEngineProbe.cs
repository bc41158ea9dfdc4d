namespace StackModel.Hosting.Runtimes;

/// <summary>
/// Tells whether a container engine answers, for resources that run as a container when one does and otherwise as a host
/// command (LiteLLM). Registered by <see cref="Container.ContainerRuntimeServices"/>.
/// </summary>
internal interface IContainerEngineProbe
{
    /// <summary>Returns <see langword="true"/> when containers can be started by this stack. May ask the engine once; cached by the caller.</summary>
    bool Answers();

    /// <summary>
    /// Makes sure <paramref name="image"/> (with its tag) is present locally for <paramref name="resourceName"/>: pulls it when
    /// <c>Stack:PullPolicy</c> allows (its progress goes to the resource's log), and says whether it can run now and why.
    /// </summary>
    ImageAvailability EnsureImage(string resourceName, string image) => new(true, "assumed present");
}
