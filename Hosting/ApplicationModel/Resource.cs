namespace StackModel.Hosting.ApplicationModel;

/// <summary>Base class of every resource.</summary>
public abstract class Resource : IResource
{
    /// <summary>Initializes a resource with its name.</summary>
    /// <param name="name">The resource name; letters, digits, '-' and '_', starting with a letter.</param>
    protected Resource(string name)
    {
        ResourceNames.ThrowIfInvalid(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ResourceAnnotationCollection Annotations { get; } = [];

    /// <inheritdoc/>
    public override string ToString() => Name;
}
