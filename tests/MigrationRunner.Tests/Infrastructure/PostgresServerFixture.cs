using System.Security.Cryptography;
using Npgsql;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run, started as the stack starts it (<see cref="PostgresTestServer"/>):
/// a generated superuser password, 127.0.0.1 on a free port, stopped and deleted on dispose.
/// Each test creates its own database (<see cref="CreateDatabaseAsync"/>), so tests never see each other's data.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string SuperUser = "postgres";

    private PostgresTestServer? _server;
    private bool _started;

    public int Port { get; private set; }

    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task InitializeAsync()
    {
        if (PostgresAvailability.MissingReason is { } missing)
        {
            if (TestEnvironment.IsCI)
            {
                throw new InvalidOperationException(
                    $"{missing} CI=true: database tests must run on CI, never skip. Fix: install postgresql-15 in .ci/run (apt-get install -y postgresql-15).");
            }

            return; // Every test using this fixture is skipped by [PostgresFact] with the reason.
        }

        using var timeout = new CancellationTokenSource(RunnerTimeouts.Infrastructure);
        _server = await PostgresTestServer.StartAsync(Password, timeout.Token);
        Port = _server.Port;
        _started = true;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
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
            throw new InvalidOperationException($"The PostgreSQL fixture did not start (binaries in \"{PostgresAvailability.BinDirectory}\").");
        }

        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new TestDatabase(this, name);
    }
}
