using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Publishing;

/// <summary>What a resource becomes when the stack is published.</summary>
public static class PublishBuilderExtensions
{
    /// <summary>
    /// Gives a project the image it runs from in a published stack (<c>publish compose</c>); without one it is left out.
    /// </summary>
    /// <param name="builder">The project.</param>
    /// <param name="image">The image reference; pin its tag.</param>
    /// <param name="dockerfile">The Dockerfile that builds it, relative to the AppHost project folder; <c>docker-compose up</c> builds the image from it when it is missing.</param>
    /// <param name="buildContext">The build context, relative to the AppHost project folder. Default: the repository root (the folder above holding <c>.git</c>), else the AppHost's parent folder.</param>
    public static IResourceBuilder<ProjectResource> WithPublishImage(this IResourceBuilder<ProjectResource> builder, string image, string? dockerfile = null, string? buildContext = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var appHost = builder.ApplicationBuilder.AppHostDirectory;
        string? context = null;
        string? file = null;
        if (dockerfile is not null)
        {
            file = Path.GetFullPath(dockerfile, appHost);
            context = buildContext is not null
                ? Path.GetFullPath(buildContext, appHost)
                : Export.RepositoryRoot.Find(appHost) ?? Path.GetFullPath("..", appHost);
        }

        return builder.WithAnnotation(new PublishImageAnnotation(image.Trim(), file, context));
    }
}
