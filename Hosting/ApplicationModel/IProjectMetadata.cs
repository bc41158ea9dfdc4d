namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// Describes a .NET project of the solution that an AppHost runs. Classes implementing it are generated
/// (<c>Projects.&lt;Name&gt;</c>) from the AppHost's project references marked <c>IsStackModelResource</c>.
/// </summary>
public interface IProjectMetadata
{
    /// <summary>Gets the full path of the project file.</summary>
    string ProjectPath { get; }

    /// <summary>Gets the full path of the built assembly that is run with <c>dotnet</c>.</summary>
    string AssemblyPath { get; }

    /// <summary>
    /// Gets the full path where the project's build publishes its native (NativeAOT) executable, or <see langword="null"/> when
    /// it publishes none (the default). The migration runner's build does when the AOT toolchain is present
    /// (eng/build/NativeAotRunner.targets). The AppHost runs it instead of <c>dotnet &lt;assembly&gt;</c> when it exists and is not
    /// older than the assembly, and otherwise says in the resource's log that it runs the slower build.
    /// </summary>
    string? NativeExecutablePath => null;
}
