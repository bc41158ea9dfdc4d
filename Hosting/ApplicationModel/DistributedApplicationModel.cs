namespace StackModel.Hosting.ApplicationModel;

/// <summary>The validated, immutable list of the stack's resources.</summary>
public sealed class DistributedApplicationModel(IReadOnlyList<IResource> resources)
{
    /// <summary>Gets the resources in declaration order.</summary>
    public IReadOnlyList<IResource> Resources { get; } = resources;

    /// <summary>Gets the resource named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No resource has that name; the message lists the names that exist.</exception>
    public IResource this[string name] =>
        Resources.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"The stack has no resource named '{name}'. Resources: {string.Join(", ", Resources.Select(r => r.Name))}.");
}
