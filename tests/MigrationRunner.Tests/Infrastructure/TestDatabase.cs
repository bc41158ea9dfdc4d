using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackModel.MigrationRunner.Database;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>One test's own database on the shared throwaway server, with the queries the tests assert on.</summary>
public sealed class TestDatabase(PostgresServerFixture server, string name)
{
    public string Name { get; } = name;

    public int Port => server.Port;

    public string Password => server.Password;

    public string ConnectionString => server.ConnectionString(Name);

    /// <summary>The URL drizzle-orm's node-postgres driver connects with.</summary>
    public string DatabaseUrl => $"postgresql://{PostgresServerFixture.SuperUser}:{server.Password}@127.0.0.1:{server.Port}/{Name}";

    /// <summary>Runs the engine in-process against this database, expecting this database on this server.</summary>
    internal async Task<MigrationResult> MigrateAsync(string folder, CancellationToken cancellationToken, MigrationTarget? expected = null)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var engine = new MigrationEngine(dataSource, new TargetVerifier(expected ?? new MigrationTarget(Name, Port), new StackGuardTarget(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), Name), NullLogger.Instance), NullLogger.Instance);
        return await engine.RunAsync(folder, cancellationToken);
    }

    /// <summary>The environment the runner process reads: connection string and expected target.</summary>
    public Dictionary<string, string?> RunnerEnvironment(string folder) => new()
    {
        ["ConnectionStrings__app_dev"] = ConnectionString,
        ["Migrations__Path"] = folder,
        ["Migrations__ExpectedDatabase"] = Name,
        ["Migrations__ExpectedServerPort"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The drizzle history as (hash, created_at) in id order; empty when the table does not exist.</summary>
    public async Task<IReadOnlyList<(string Hash, long CreatedAt)>> HistoryAsync(CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync("drizzle", "__drizzle_migrations", cancellationToken))
        {
            return [];
        }

        var rows = new List<(string, long)>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    public Task<bool> TableExistsAsync(string schema, string table, CancellationToken cancellationToken) =>
        ScalarAsync<bool>($"SELECT to_regclass('\"{schema}\".\"{table}\"') IS NOT NULL", cancellationToken);

    public Task<bool> SchemaExistsAsync(string schema, CancellationToken cancellationToken) =>
        ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{schema}')", cancellationToken);

    /// <summary>Every relation outside the system schemas, "schema.name" sorted: what "the database is unchanged" compares.</summary>
    public async Task<IReadOnlyList<string>> RelationsAsync(CancellationToken cancellationToken)
    {
        var relations = new List<string>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            relations.Add(reader.GetString(0));
        }

        return relations;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
