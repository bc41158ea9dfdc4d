using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Publishing;

/// <summary>
/// The container image a project runs from when the stack is published (<c>publish compose</c>), and how a user builds it.
/// A project without one is left out of the published stack, with the reason.
/// </summary>
/// <param name="image">The image reference, e.g. <c>localhost/stackmodel/migration-runner:dev</c>.</param>
/// <param name="dockerfile">The absolute path of the Dockerfile that builds it, or <see langword="null"/>.</param>
/// <param name="buildContext">The absolute path of the build context, or <see langword="null"/>.</param>
public sealed class PublishImageAnnotation(string image, string? dockerfile, string? buildContext) : IResourceAnnotation
{
    /// <summary>Gets the image reference.</summary>
    public string Image { get; } = image;

    /// <summary>Gets the Dockerfile that builds the image, if any.</summary>
    public string? Dockerfile { get; } = dockerfile;

    /// <summary>Gets the build context of <see cref="Dockerfile"/>, if any.</summary>
    public string? BuildContext { get; } = buildContext;
}
