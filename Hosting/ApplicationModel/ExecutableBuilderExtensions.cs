namespace StackModel.Hosting.ApplicationModel;

/// <summary>Declares programs run as processes on the host.</summary>
public static class ExecutableBuilderExtensions
{
    /// <summary>Adds a program run as a process on the host.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name.</param>
    /// <param name="command">A path, or a command looked up on PATH.</param>
    /// <param name="workingDirectory">The working directory, relative to the AppHost project folder.</param>
    /// <param name="args">Arguments.</param>
    public static IResourceBuilder<ExecutableResource> AddExecutable(this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params object[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.GetFullPath(workingDirectory, builder.AppHostDirectory);
        var resource = builder.AddResource(new ExecutableResource(name, command, directory));
        return args.Length == 0 ? resource : resource.WithArgs(args);
    }

    /// <summary>Adds a .NET project of the solution, run from its built assembly.</summary>
    /// <typeparam name="TProject">The generated <c>Projects.&lt;Name&gt;</c> class.</typeparam>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ProjectResource(name, new TProject()));
    }
}
