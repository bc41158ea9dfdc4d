namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// The network context a resource's environment is rendered for: where it runs as decided before start. A resource with a
/// runtime choice (<see cref="RuntimeSelectionAnnotation"/>, e.g. LiteLLM) runs where <see cref="RuntimeSelection"/> says, as the
/// orchestrator starts it; one without runs as declared (a container on the stack network, anything else on the host).
/// </summary>
internal static class ResourceNetworkContext
{
    /// <summary>Returns where <paramref name="resource"/> runs: <see cref="NetworkContext.Host"/> or <see cref="NetworkContext.ContainerNetwork"/>.</summary>
    /// <remarks>A resource turned off renders for where it would run if turned on by its declaration.</remarks>
    public static NetworkContext Of(IResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return RuntimeSelection.Of(resource) switch
        {
            { Kind: RuntimeKind.Executable } => NetworkContext.Host,
            { Kind: RuntimeKind.Container } => NetworkContext.ContainerNetwork,
            _ => resource is ContainerResource ? NetworkContext.ContainerNetwork : NetworkContext.Host,
        };
    }
}
