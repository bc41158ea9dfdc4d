namespace StackModel.Hosting.ApplicationModel;

/// <summary>A .NET project of the solution, run from its built assembly with <c>dotnet</c>, or as its native executable when its build publishes one (<see cref="IProjectMetadata.NativeExecutablePath"/>).</summary>
public sealed class ProjectResource : Resource, IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Initializes a project resource.</summary>
    public ProjectResource(string name, IProjectMetadata project)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(project);
        Project = project;
    }

    /// <summary>Gets the project's metadata.</summary>
    public IProjectMetadata Project { get; }
}
