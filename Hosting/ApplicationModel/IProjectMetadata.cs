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
}
