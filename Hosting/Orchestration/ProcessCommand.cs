using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// How a project or executable resource is run as a host process: program, arguments, working directory and environment,
/// all rendered for the host context. Shared by the orchestrator and by <c>reset --recreate</c>, which runs the migration runner.
/// </summary>
/// <param name="Program">The program to start.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="WorkingDirectory">Its working directory.</param>
/// <param name="Environment">Its environment, on top of the AppHost's.</param>
/// <param name="Note">A line for the resource's log on how it is run (a project's native or ReadyToRun build), or <see langword="null"/>.</param>
internal sealed record ProcessCommand(string Program, IReadOnlyList<string> Args, string WorkingDirectory, IReadOnlyDictionary<string, string?> Environment, string? Note = null)
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
            ProjectResource project when NativeExecutable(project.Project) is { } native => new(
                native, args, Path.GetDirectoryName(project.Project.ProjectPath)!, environment, $"Running the native build {native}."),
            ProjectResource project => new(
                "dotnet", [project.Project.AssemblyPath, .. args], Path.GetDirectoryName(project.Project.ProjectPath)!, environment, DotnetNote(project.Project)),
            ExecutableResource executable => new(executable.Command, args, executable.WorkingDirectory, environment),
            _ => throw new InvalidOperationException($"Resource '{resource.Name}' is not a process."),
        };
    }

    /// <summary>The project's native executable when it was built and is not older than its assembly (a build without the AOT toolchain leaves an older one behind).</summary>
    private static string? NativeExecutable(IProjectMetadata project) =>
        project.NativeExecutablePath is { } native && File.Exists(native) && File.GetLastWriteTimeUtc(native) >= File.GetLastWriteTimeUtc(project.AssemblyPath)
            ? native
            : null;

    /// <summary>Says why a project whose build can publish a native executable is run with dotnet; nothing for other projects.</summary>
    private static string? DotnetNote(IProjectMetadata project) => project.NativeExecutablePath switch
    {
        null => null,
        var native when File.Exists(native) =>
            $"Running the ReadyToRun build with dotnet ({project.AssemblyPath}): the native build {native} is older than the assembly (built since without the NativeAOT toolchain), so it was not used. Fix: install clang and zlib1g-dev (bash .ci/steps/01-aot-toolchain.sh) and build again.",
        var native =>
            $"Running the ReadyToRun build with dotnet ({project.AssemblyPath}), which starts slower than the native one: there is no native build at {native} (it was built without the NativeAOT toolchain). Fix: install clang and zlib1g-dev (bash .ci/steps/01-aot-toolchain.sh) and build again.",
    };
}
