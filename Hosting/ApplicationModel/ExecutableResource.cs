namespace StackModel.Hosting.ApplicationModel;

/// <summary>A program run as a process on the host.</summary>
public class ExecutableResource : Resource, IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Initializes an executable resource.</summary>
    public ExecutableResource(string name, string command, string workingDirectory)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        Command = command;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>Gets the command: a path, or a name looked up on PATH.</summary>
    public string Command { get; }

    /// <summary>Gets the working directory.</summary>
    public string WorkingDirectory { get; }
}
