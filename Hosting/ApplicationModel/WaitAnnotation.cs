namespace StackModel.Hosting.ApplicationModel;

/// <summary>The annotated resource starts only after <see cref="Resource"/> reached what <see cref="WaitType"/> says.</summary>
public sealed class WaitAnnotation(IResource resource, WaitType waitType) : IResourceAnnotation
{
    /// <summary>Gets the resource waited for.</summary>
    public IResource Resource { get; } = resource ?? throw new ArgumentNullException(nameof(resource));

    /// <summary>Gets what is waited for.</summary>
    public WaitType WaitType { get; } = waitType;
}
