using System.Text.RegularExpressions;
using Npgsql;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>What a database holds, read as its owner; and what the app's migrations and the LiteLLM stand-in create.</summary>
internal static partial class Catalog
{
    /// <summary>The tables the LiteLLM stand-in's Prisma-like migrations create in <c>public</c> (tests/LiteLLMStandIn/LiteLLMSchema.cs).</summary>
    public static readonly string[] StandInTables =
    [
        "_prisma_migrations", "LiteLLM_BudgetTable", "LiteLLM_Config", "LiteLLM_CronJob", "LiteLLM_DailyUserSpend", "LiteLLM_ErrorLogs",
        "LiteLLM_OrganizationTable", "LiteLLM_ProxyModelTable", "LiteLLM_SpendLogs", "LiteLLM_TeamTable", "LiteLLM_UserTable", "LiteLLM_VerificationToken",
    ];

    /// <summary>The tables the app's migrations create, read from the SQL files of <c>db/migrations</c> (the source of truth).</summary>
    public static string[] AppTables(string appHostDirectory)
    {
        var folder = MigrationsFolder(appHostDirectory);
        return Directory.GetFiles(folder, "*.sql")
            .SelectMany(f => CreateTable().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The number of migrations in the app's journal.</summary>
    public static int AppMigrationCount(string appHostDirectory) =>
        Directory.GetFiles(MigrationsFolder(appHostDirectory), "*.sql").Length;

    public static string MigrationsFolder(string appHostDirectory) => Path.GetFullPath(Path.Combine(appHostDirectory, "..", "db", "migrations"));

    /// <summary>Every base table of every non-system schema, as <c>schema.table</c>, sorted.</summary>
    public static async Task<string[]> TablesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables " +
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            connection);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return [.. tables.Order(StringComparer.Ordinal)];
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex("""CREATE TABLE (?:IF NOT EXISTS )?(?:"public"\.)?"(\w+)" """, RegexOptions.CultureInvariant)]
    private static partial Regex CreateTable();
}
