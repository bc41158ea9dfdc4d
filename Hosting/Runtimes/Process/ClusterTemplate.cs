using Npgsql;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// A freshly initialized cluster kept in a cache folder, copied for each new test stack instead of running <c>initdb</c>
/// (a copy takes a fraction of initdb's time). A copy starts with the template's password, which is replaced at once
/// by the stack's own; the stack id that tells copies apart is added by the orchestrator as for any new cluster.
/// </summary>
internal static class ClusterTemplate
{
    /// <summary>The template's superuser password; replaced in every copy before the copy is used.</summary>
    public const string Password = "stackmodel-cluster-template";

    public static async Task<bool> CopyAsync(
        string cacheDirectory, PostgresBinaries binaries, OsUser user, string data,
        Func<string, string, CancellationToken, Task> initDb, CancellationToken cancellationToken)
    {
        // One template per PostgreSQL installation (…/15/bin → "15") and account.
        var version = Path.GetFileName(Path.GetDirectoryName(binaries.Directory)) ?? "pg";
        var template = Path.Combine(cacheDirectory, $"pg{version}-{user.Name}");
        var templateData = Path.Combine(template, "data");
        Directory.CreateDirectory(cacheDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cacheDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        if (!File.Exists(Path.Combine(templateData, "PG_VERSION")))
        {
            await using var gate = await LockAsync(Path.Combine(cacheDirectory, ".lock"), cancellationToken).ConfigureAwait(false);
            if (!File.Exists(Path.Combine(templateData, "PG_VERSION")))
            {
                var building = template + ".building-" + Environment.ProcessId;
                Directory.CreateDirectory(building);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(building, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                }

                await initDb(building, Path.Combine(building, "data"), cancellationToken).ConfigureAwait(false);
                if (Directory.Exists(template))
                {
                    Directory.Delete(template, recursive: true);
                }

                Directory.Move(building, template);
            }
        }

        await CopyTreeAsync(templateData, data, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task SetPasswordAsync(int port, string password, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = Password, Database = "postgres", Pooling = false }.ConnectionString;
        await using var dataSource = PostgresProvisioner.CreateAdminDataSource(connectionString);
        await using var connection = await PostgresProvisioner.OpenWhenAcceptingAsync(dataSource, serverExited, timeout, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"ALTER ROLE postgres PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyTreeAsync(string source, string destination, CancellationToken cancellationToken)
    {
        // cp -a keeps the owner (the PostgreSQL account) and modes that PostgreSQL insists on (0700 data folder).
        await using var copy = ChildProcess.Start("cp", ["-a", source, destination], "/", new Dictionary<string, string?>(), (_, _) => { });
        var exitCode = await copy.Exited.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new DistributedApplicationException($"Copying the cluster template '{source}' to '{destination}' failed (cp exit code {exitCode}). Delete the template folder to have it rebuilt.");
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
