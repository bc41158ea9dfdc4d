namespace StackModel.Hosting.Runtimes.Container;

/// <summary>What one container of the stack runs with.</summary>
/// <param name="ResourceName">The resource's name: the container's alias on the stack network.</param>
/// <param name="Image">The image reference including its tag.</param>
internal sealed record ContainerSpec(string ResourceName, string Image)
{
    /// <summary>Gets the ports published on 127.0.0.1: host port → port inside the container.</summary>
    public IReadOnlyList<(int HostPort, int TargetPort)> Ports { get; init; } = [];

    /// <summary>Gets the environment. Values travel through the CLI's environment (<c>-e NAME</c>), never its argv.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Gets bind mounts (absolute host paths) and named volumes.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Gets the arguments after the image.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Gets the fix to show when the image is not present locally.</summary>
    public string? ImageHint { get; init; }
}
