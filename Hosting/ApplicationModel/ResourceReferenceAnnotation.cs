namespace StackModel.Hosting.ApplicationModel;

/// <summary>Records that the annotated resource was given the address and credentials of <see cref="Resource"/>.</summary>
public sealed class ResourceReferenceAnnotation(IResource resource) : IResourceAnnotation
{
    /// <summary>Gets the referenced resource.</summary>
    public IResource Resource { get; } = resource ?? throw new ArgumentNullException(nameof(resource));
}
