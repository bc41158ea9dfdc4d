using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace StackModel.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for tests, started as the stack starts it (<see cref="PostgresTestServer"/>): a free
/// port on 127.0.0.1, scram password auth, stopped and removed on dispose.
/// Missing binaries: tests marked <see cref="PostgresFactAttribute"/> skip with a reason, except when
/// <c>CI=true</c>, where this fixture fails instead (CI never passes by skipping).
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string Username = "postgres";

    /// <summary>A password with characters that must be percent-encoded in a URL.</summary>
    public const string Password = "p@ss:w/rd%?#1";

    private static readonly TimeSpan CommandTimeout = TestTimeouts.Scaled(TimeSpan.FromSeconds(60));

    private PostgresTestServer? _server;

    /// <summary>Why PostgreSQL tests skip here, or null when they run (binaries found, or on CI where they fail).</summary>
    public static string? SkipReason => PostgresAvailability.SkipReason;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = Username,
        Password = Password,
        Pooling = false,
    }.ConnectionString;

    /// <summary>The database as LiteLLM's <c>DATABASE_URL</c> names it, user and password percent-encoded.</summary>
    public string DatabaseUrl(string database) =>
        $"postgresql://{Uri.EscapeDataString(Username)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(database)}";

    /// <summary>Creates a database with a fresh name and returns that name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"", cancellationToken);
        return name;
    }

    public async Task ExecuteAsync(string database, string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(string database, string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public async Task InitializeAsync()
    {
        if (PostgresAvailability.MissingReason is { } missing)
        {
            if (TestEnvironment.IsCI)
            {
                throw new InvalidOperationException($"CI=true and {missing} CI must run the PostgreSQL tests: install postgresql-15 in .ci/run.");
            }

            return;
        }

        using var timeout = new CancellationTokenSource(CommandTimeout);
        _server = await PostgresTestServer.StartAsync(Password, timeout.Token);
        Port = _server.Port;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
