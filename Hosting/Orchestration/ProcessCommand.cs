using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// How a project or executable resource is run as a host process: program, arguments, working directory and environment,
/// all rendered for the host context. Shared by the orchestrator and by <c>reset --recreate</c>, which runs the migration runner.
/// </summary>
internal sealed record ProcessCommand(string Program, IReadOnlyList<string> Args, string WorkingDirectory, IReadOnlyDictionary<string, string?> Environment)
{
    public static async Task<ProcessCommand> ForAsync(IResource resource, CancellationToken cancellationToken = default)
    {
        var args = await EnvironmentRenderer.RenderArgsAsync(resource, NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        var environment = new Dictionary<string, string?>(await EnvironmentRenderer.RenderEnvironmentAsync(resource, NetworkContext.Host, cancellationToken).ConfigureAwait(false))
        {
            ["OTEL_SERVICE_NAME"] = resource.Name,
            ["DOTNET_ENVIRONMENT"] = System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development",
        };

        if (ResourcePlacement.TryOf(resource) is { Kind: PlacementKind.Process, Program: { } program } selection)
        {
            return new(program, [.. selection.LeadingArgs, .. args], selection.WorkingDirectory ?? System.Environment.CurrentDirectory, environment);
        }

        return resource switch
        {
            ProjectResource project when !File.Exists(project.Project.AssemblyPath) => throw new DistributedApplicationException(
                $"Project '{resource.Name}' has not been built: '{project.Project.AssemblyPath}' does not exist. Build the solution (dotnet build) and start again."),
            ProjectResource project => new("dotnet", [project.Project.AssemblyPath, .. args], Path.GetDirectoryName(project.Project.ProjectPath)!, environment),
            ExecutableResource executable => new(executable.Command, args, executable.WorkingDirectory, environment),
            _ => throw new InvalidOperationException($"Resource '{resource.Name}' is not a process."),
        };
    }
}
