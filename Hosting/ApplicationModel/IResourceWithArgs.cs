namespace StackModel.Hosting.ApplicationModel;

/// <summary>A resource whose program takes command-line arguments.</summary>
public interface IResourceWithArgs : IResource;
