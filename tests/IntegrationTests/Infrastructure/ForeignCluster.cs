using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster the stack did not create (or a copy of the stack's data folder), started from the same binaries the
/// stack uses, in a temporary folder removed on dispose: the "second Postgres" of the incident.
/// </summary>
internal sealed class ForeignCluster : IAsyncDisposable
{
    private readonly PostgresServerHandle _handle;

    private ForeignCluster(string directory, int port, string superUserPassword, PostgresServerHandle handle)
    {
        Directory = directory;
        Port = port;
        SuperUserPassword = superUserPassword;
        _handle = handle;
    }

    public string Directory { get; }

    public int Port { get; }

    public string SuperUserPassword { get; }

    public string SuperUserConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={SuperUserPassword};Database=postgres;Pooling=false";

    /// <summary>Creates a new cluster (initdb) and starts it on <paramref name="port"/>.</summary>
    public static Task<ForeignCluster> StartNewAsync(int port, CancellationToken cancellationToken) =>
        StartAsync(NewDirectory(), port, "impostor-" + Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>Copies a stopped cluster's data folder (same system identifier, same stack id) and starts the copy on <paramref name="port"/>.</summary>
    public static async Task<ForeignCluster> StartCopyAsync(string stackStateDirectory, string superUserPassword, int port, CancellationToken cancellationToken)
    {
        var directory = NewDirectory();
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "postgres"));
        using (var copy = Process.Start("cp", ["-a", Path.Combine(stackStateDirectory, "postgres", "data"), Path.Combine(directory, "postgres", "data")]))
        {
            await copy.WaitForExitAsync(cancellationToken);
            Assert.Equal(0, copy.ExitCode);
        }

        File.Delete(Path.Combine(directory, "postgres", "data", "postmaster.pid"));
        return await StartAsync(directory, port, superUserPassword, cancellationToken);
    }

    /// <summary>Creates a database owned by a login role, as the stack would, with a table of <paramref name="rows"/> rows.</summary>
    public async Task CreateDatabaseWithRowsAsync(string database, string owner, string ownerPassword, int rows, CancellationToken cancellationToken)
    {
        await using (var superUser = new NpgsqlConnection(SuperUserConnectionString))
        {
            await superUser.OpenAsync(cancellationToken);
            await Sql.ExecuteAsync(superUser, $"CREATE ROLE {owner} LOGIN PASSWORD '{ownerPassword}'", cancellationToken);
            await Sql.ExecuteAsync(superUser, $"CREATE DATABASE {database} OWNER {owner}", cancellationToken);
        }

        await using var connection = new NpgsqlConnection(ConnectionString(database, owner, ownerPassword));
        await connection.OpenAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, $"CREATE TABLE users (id serial PRIMARY KEY, name text); INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, {rows}) g", cancellationToken);
    }

    public string ConnectionString(string database, string user, string password) =>
        $"Host=127.0.0.1;Port={Port};Username={user};Password={password};Database={database};Pooling=false";

    public async ValueTask DisposeAsync()
    {
        await _handle.StopAsync(CancellationToken.None);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task<ForeignCluster> StartAsync(string directory, int port, string superUserPassword, CancellationToken cancellationToken)
    {
        var runtime = new PostgresProcessRuntime(new StackOptions(), NullLogger<PostgresProcessRuntime>.Instance);
        var handle = await runtime.StartAsync(new PostgresStartRequest("foreign", directory, port, superUserPassword, (_, _) => { }), cancellationToken);
        var cluster = new ForeignCluster(directory, port, superUserPassword, handle);
        try
        {
            await PostgresProvisioner.WaitUntilAcceptingAsync(cluster.SuperUserConnectionString, handle.Exited, TestStack.TimeoutSpan, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    private static string NewDirectory()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("stackmodel-foreign-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The PostgreSQL account must pass through, as through the stack's state folder.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return directory;
    }
}
