namespace StackModel.Hosting.ApplicationModel;

/// <summary>Declares one resource of the stack; returned by every <c>AddX</c> and <c>WithX</c> call.</summary>
/// <typeparam name="T">The resource type.</typeparam>
public interface IResourceBuilder<out T> where T : IResource
{
    /// <summary>Gets the application builder the resource belongs to.</summary>
    IDistributedApplicationBuilder ApplicationBuilder { get; }

    /// <summary>Gets the resource.</summary>
    T Resource { get; }

    /// <summary>Adds an annotation to the resource.</summary>
    IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation);
}
