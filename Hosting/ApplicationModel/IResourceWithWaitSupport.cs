namespace StackModel.Hosting.ApplicationModel;

/// <summary>A resource whose start can wait for other resources.</summary>
public interface IResourceWithWaitSupport : IResource;
