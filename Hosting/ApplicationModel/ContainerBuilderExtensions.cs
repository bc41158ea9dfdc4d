namespace StackModel.Hosting.ApplicationModel;

/// <summary>Declares containers run on the stack's network.</summary>
public static class ContainerBuilderExtensions
{
    /// <summary>Adds a container.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name; also the container's alias on the stack network.</param>
    /// <param name="image">The image, e.g. <c>ghcr.io/berriai/litellm</c>.</param>
    /// <param name="tag">The tag; pin it.</param>
    public static IResourceBuilder<ContainerResource> AddContainer(this IDistributedApplicationBuilder builder, string name, string image, string tag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ContainerResource(name, image, tag));
    }

    /// <summary>Runs the container from another image (a locally built stand-in, a mirror), keeping everything else it declares.</summary>
    /// <param name="builder">The container.</param>
    /// <param name="image">The image, e.g. <c>localhost/stackmodel/litellm-standin</c>.</param>
    /// <param name="tag">The tag; pin it.</param>
    public static IResourceBuilder<T> WithImage<T>(this IResourceBuilder<T> builder, string image, string tag)
        where T : ContainerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        builder.Resource.Image = image;
        builder.Resource.Tag = tag;
        return builder;
    }

    /// <summary>Mounts a host folder or file (relative to the AppHost project) into the container.</summary>
    public static IResourceBuilder<T> WithBindMount<T>(this IResourceBuilder<T> builder, string source, string target, bool isReadOnly = false)
        where T : ContainerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        var path = Path.GetFullPath(source, builder.ApplicationBuilder.AppHostDirectory);
        return builder.WithAnnotation(new ContainerMountAnnotation(path, target, isVolume: false, isReadOnly));
    }

    /// <summary>Mounts a named volume, kept when the stack stops.</summary>
    public static IResourceBuilder<T> WithVolume<T>(this IResourceBuilder<T> builder, string name, string target)
        where T : ContainerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithAnnotation(new ContainerMountAnnotation(name, target, isVolume: true, readOnly: false));
    }
}
