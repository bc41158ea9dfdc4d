namespace StackModel.Hosting.ApplicationModel;

/// <summary>A program run as a container on the stack's network.</summary>
public class ContainerResource : Resource, IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Initializes a container resource.</summary>
    public ContainerResource(string name, string image, string tag)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        Image = image;
        Tag = tag;
    }

    /// <summary>Gets the image name, e.g. <c>ghcr.io/berriai/litellm</c>.</summary>
    public string Image { get; internal set; }

    /// <summary>Gets the image tag.</summary>
    public string Tag { get; internal set; }
}
