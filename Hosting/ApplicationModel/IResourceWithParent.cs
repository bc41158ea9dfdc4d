namespace StackModel.Hosting.ApplicationModel;

/// <summary>A resource that lives inside another one (a database inside its server).</summary>
public interface IResourceWithParent : IResource
{
    /// <summary>Gets the resource this one lives in.</summary>
    IResource Parent { get; }
}
