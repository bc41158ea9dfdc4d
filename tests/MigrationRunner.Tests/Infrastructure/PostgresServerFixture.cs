using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CliWrap;
using CliWrap.Buffered;
using Npgsql;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the test run: initdb with scram-sha-256 and a generated password in a temp
/// folder, listening on 127.0.0.1 on a free port with its own unix socket folder; stopped and deleted on dispose.
/// initdb and postgres refuse to run as root, so as root they run as the <c>postgres</c> OS user, who owns the folder.
/// Each test creates its own database (<see cref="CreateDatabaseAsync"/>), so tests never see each other's data.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string SuperUser = "postgres";

    private string? _root;
    private bool _started;

    public static string BinDirectory { get; } = Environment.GetEnvironmentVariable("PG_BIN") ?? "/usr/lib/postgresql/15/bin";

    public static bool BinariesAvailable => File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    private static bool IsRoot => Environment.UserName == "root";

    public int Port { get; private set; }

    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private string DataDirectory => Path.Combine(_root!, "data");

    public async Task InitializeAsync()
    {
        if (!BinariesAvailable)
        {
            if (TestTimeouts.IsCi)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL binaries not found in \"{BinDirectory}\" and CI=true: database tests must run on CI, never skip. " +
                    "Fix: install postgresql-15 in .ci/run (apt-get install -y postgresql-15) or set PG_BIN.");
            }

            return; // Every test using this fixture is skipped by [PostgresFact] with the reason.
        }

        using var timeout = new CancellationTokenSource(TestTimeouts.Infrastructure);
        _root = Directory.CreateTempSubdirectory("stackmodel-migrations-pg-").FullName;
        Port = FreePort();
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", timeout.Token);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", SuperUser, _root], timeout.Token);
        }

        await RunPostgresToolAsync(
            "initdb",
            ["-D", DataDirectory, "-U", SuperUser, "-A", "scram-sha-256", "--pwfile", passwordFile, "-N", "-E", "UTF8", "--no-locale"],
            timeout.Token);
        await RunPostgresToolAsync(
            "pg_ctl",
            [
                "-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
                "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100",
                "start",
            ],
            timeout.Token);
        _started = true;
    }

    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TestTimeouts.Infrastructure);
        try
        {
            if (_started)
            {
                await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], timeout.Token);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>The superuser connection string for <paramref name="database"/>; no pooling, so nothing lingers after a test.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = Password,
        Database = database,
        Pooling = false,
        Timeout = 30,
    }.ConnectionString;

    /// <summary>Creates a fresh database with a unique name.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            throw new InvalidOperationException($"The PostgreSQL fixture did not start (binaries in \"{BinDirectory}\").");
        }

        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new TestDatabase(this, name);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunPostgresToolAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(BinDirectory, tool);
        return IsRoot
            ? RunAsync("runuser", ["-u", SuperUser, "--", path, .. arguments], cancellationToken)
            : RunAsync(path, arguments, cancellationToken);
    }

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var result = await Cli.Wrap(program)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"\"{program} {string.Join(' ', arguments)}\" exited with {result.ExitCode}: {result.StandardError}{result.StandardOutput}");
        }
    }
}
