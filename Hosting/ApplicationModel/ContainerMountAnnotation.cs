namespace StackModel.Hosting.ApplicationModel;

/// <summary>A bind mount (host path) or named volume mounted into a container.</summary>
public sealed class ContainerMountAnnotation(string source, string target, bool isVolume, bool readOnly) : IResourceAnnotation
{
    /// <summary>Gets the host path or volume name.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the path inside the container.</summary>
    public string Target { get; } = target;

    /// <summary>Gets a value indicating whether <see cref="Source"/> names a volume (kept on shutdown).</summary>
    public bool IsVolume { get; } = isVolume;

    /// <summary>Gets a value indicating whether the mount is read-only.</summary>
    public bool ReadOnly { get; } = readOnly;
}
