using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Tests;

/// <summary>
/// How the AppHost runs a project whose build may publish a native executable (the migration runner): the native build when it
/// is there and not older than the assembly, else <c>dotnet &lt;assembly&gt;</c> with a line for the resource's log that says why
/// and what to install.
/// </summary>
public sealed class NativeProjectCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-native-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_native_build_not_older_than_the_assembly_is_run_directly()
    {
        var project = Project(withNative: true);
        File.SetLastWriteTimeUtc(project.NativeExecutablePath!, File.GetLastWriteTimeUtc(project.AssemblyPath).AddSeconds(5));

        var command = await ProcessCommand.ForAsync(new ProjectResource("migrations", project));

        Assert.Equal(project.NativeExecutablePath, command.Program);
        Assert.DoesNotContain(project.AssemblyPath, command.Args);
        Assert.Contains("native build", command.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_native_build_the_assembly_is_run_with_dotnet_and_the_log_says_how_to_get_one()
    {
        var project = Project(withNative: false);

        var command = await ProcessCommand.ForAsync(new ProjectResource("migrations", project));

        Assert.Equal("dotnet", command.Program);
        Assert.Equal(project.AssemblyPath, command.Args[0]);
        Assert.Contains("ReadyToRun build", command.Note, StringComparison.Ordinal);
        Assert.Contains("Fix: install clang and zlib1g-dev", command.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_native_build_older_than_the_assembly_is_stale_and_not_run()
    {
        var project = Project(withNative: true);
        File.SetLastWriteTimeUtc(project.NativeExecutablePath!, File.GetLastWriteTimeUtc(project.AssemblyPath).AddMinutes(-5));

        var command = await ProcessCommand.ForAsync(new ProjectResource("migrations", project));

        Assert.Equal("dotnet", command.Program);
        Assert.Contains("is older than the assembly", command.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_without_a_native_build_at_all_is_run_with_dotnet_without_a_note()
    {
        var project = new Metadata(Path.Combine(_folder, "Some.csproj"), Touch("Some.dll"), NativeExecutablePath: null);

        var command = await ProcessCommand.ForAsync(new ProjectResource("some", project));

        Assert.Equal("dotnet", command.Program);
        Assert.Null(command.Note);
    }

    private Metadata Project(bool withNative)
    {
        var assembly = Touch("Runner.dll");
        var native = Path.Combine(_folder, "native", "Runner");
        if (withNative)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(native)!);
            File.WriteAllText(native, "native");
        }

        return new Metadata(Path.Combine(_folder, "Runner.csproj"), assembly, native);
    }

    private string Touch(string name)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, "assembly");
        return path;
    }

    private sealed record Metadata(string ProjectPath, string AssemblyPath, string? NativeExecutablePath) : IProjectMetadata;
}
