using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>Marks <see cref="Owner"/> as one of the resources allowed to hold the annotated database's owner credentials.</summary>
internal sealed class DatabaseOwnerAnnotation(IResource owner) : IResourceAnnotation
{
    public IResource Owner { get; } = owner ?? throw new ArgumentNullException(nameof(owner));
}
