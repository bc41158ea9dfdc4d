using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Testing;

/// <summary>A resource builder whose application builder is the testing builder, so chained declarations stay in the test stack.</summary>
internal sealed class TestingResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, IResourceBuilder<T> inner) : IResourceBuilder<T>
    where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource => inner.Resource;

    public IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation)
    {
        inner.WithAnnotation(annotation);
        return this;
    }
}
