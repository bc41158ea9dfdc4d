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

    /// <summary>Gets the command that replaces the image's entrypoint (<c>--entrypoint</c>), or <see langword="null"/> to keep it.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>Gets the user the container's process runs as (<c>--user</c>), or <see langword="null"/> for the image's.</summary>
    public string? User { get; init; }

    /// <summary>Gets the tmpfs mounts (<c>--tmpfs</c> <c>path[:options]</c>).</summary>
    public IReadOnlyList<string> Tmpfs { get; init; } = [];

    /// <summary>Gets the arguments after the image.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Gets the fix to show when the image is not present locally.</summary>
    public string? ImageHint { get; init; }

    /// <summary>
    /// Gets a value indicating whether the container starts on the engine's default network and joins the stack network (with
    /// its alias) right after <c>run</c>, so that the stack network's creation is not on its start path. Every other container of
    /// the stack starts only once that join is done (<see cref="ContainerStack.RunAsync"/>), and the stack counts as settled only
    /// then. Its published ports are the same either way.
    /// </summary>
    public bool JoinsNetworkAfterStart { get; init; }
}
