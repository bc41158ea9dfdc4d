namespace StackModel.Hosting.ApplicationModel;

internal sealed class ResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T>
    where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;

    public IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        Resource.Annotations.Add(annotation);
        return this;
    }
}
