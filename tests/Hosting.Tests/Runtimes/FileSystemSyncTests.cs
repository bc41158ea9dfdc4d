using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// The one sync a new cluster gets after <c>initdb --no-sync</c> (PostgresProcessRuntime): it syncs the folder's file system, and a
/// folder it cannot open is an error that names it, never a silent success (the start then stops and says what to check).
/// </summary>
public sealed class FileSystemSyncTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-sync-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_folder_with_new_files_is_synced_without_error()
    {
        File.WriteAllText(Path.Combine(_folder, "PG_VERSION"), "15\n");

        NativeMethods.SyncFileSystem(_folder);

        Assert.Equal("15\n", File.ReadAllText(Path.Combine(_folder, "PG_VERSION")));
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_an_error_naming_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // elsewhere sync(2) syncs every file system and opens nothing
        }

        var missing = Path.Combine(_folder, "missing");

        var error = Assert.Throws<IOException>(() => NativeMethods.SyncFileSystem(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
