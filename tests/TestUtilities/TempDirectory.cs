namespace StackModel.Tests.Utilities;

/// <summary>A temporary folder the test owns; removed with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a folder under the system's temporary folder, named <c>&lt;prefix&gt;&lt;random&gt;</c>.</summary>
    public TempDirectory(string prefix = "stackmodel-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>Gets the folder's full path.</summary>
    public string Path { get; }

    /// <summary>Removes the folder.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
