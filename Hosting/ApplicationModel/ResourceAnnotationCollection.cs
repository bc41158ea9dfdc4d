using System.Collections.ObjectModel;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>The annotations of one resource, in the order they were added.</summary>
public sealed class ResourceAnnotationCollection : Collection<IResourceAnnotation>
{
    /// <summary>Gets every annotation of type <typeparamref name="T"/>.</summary>
    public IEnumerable<T> OfType<T>() where T : IResourceAnnotation => Items.OfType<T>();
}
