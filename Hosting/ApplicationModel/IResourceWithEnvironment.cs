namespace StackModel.Hosting.ApplicationModel;

/// <summary>A resource that runs as a program and therefore has an environment.</summary>
public interface IResourceWithEnvironment : IResource;
