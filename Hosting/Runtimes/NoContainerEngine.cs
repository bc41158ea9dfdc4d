namespace StackModel.Hosting.Runtimes;

/// <summary>The probe used while no container runtime is registered with the AppHost: containers are never available.</summary>
internal sealed class NoContainerEngine : IContainerEngineProbe
{
    public bool Answers() => false;
}
