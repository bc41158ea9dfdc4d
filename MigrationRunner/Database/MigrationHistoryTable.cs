using Npgsql;
using StackModel.MigrationRunner.Folders;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// drizzle-orm's history table, <c>"drizzle"."__drizzle_migrations"</c>, with drizzle's exact columns:
/// <c>(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)</c> for 0.45, plus <c>name text</c> and
/// <c>applied_at timestamptz DEFAULT now()</c> for 1.0. Created outside the migration transaction, as drizzle does.
/// </summary>
internal static class MigrationHistoryTable
{
    public const string Schema = "drizzle";
    public const string Table = "__drizzle_migrations";
    public const string QualifiedName = "\"drizzle\".\"__drizzle_migrations\"";

    private const string ColumnsSql = """
        SELECT a.attname FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = to_regclass('"drizzle"."__drizzle_migrations"') AND a.attnum > 0 AND NOT a.attisdropped
        """;

    private const string CreateSchemaSql = "CREATE SCHEMA IF NOT EXISTS \"drizzle\"";

    private const string CreateJournalTableSql = """
        CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
            id SERIAL PRIMARY KEY,
            hash text NOT NULL,
            created_at bigint
        )
        """;

    private const string CreateFolderTableSql = """
        CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
            id SERIAL PRIMARY KEY,
            hash text NOT NULL,
            created_at bigint,
            name text,
            applied_at timestamp with time zone DEFAULT now()
        )
        """;

    /// <summary>Returns the insert that records one applied migration, with drizzle's parameters in order (hash, created_at[, name]).</summary>
    public static string InsertSql(MigrationFolderLayout layout) => layout == MigrationFolderLayout.Journal
        ? "INSERT INTO \"drizzle\".\"__drizzle_migrations\" (\"hash\", \"created_at\") VALUES ($1, $2)"
        : "INSERT INTO \"drizzle\".\"__drizzle_migrations\" (\"hash\", \"created_at\", \"name\") VALUES ($1, $2, $3)";

    /// <summary>
    /// Returns <see cref="InsertSql"/> answering the server's clock once the row is written, under <paramref name="column"/>:
    /// the same row, and the time the migration's statements before it in the batch finished.
    /// </summary>
    public static string InsertReturningServerTimeSql(MigrationFolderLayout layout, string column) =>
        $"{InsertSql(layout)} RETURNING clock_timestamp() AS \"{column}\"";

    /// <summary>
    /// Reads the table; throws <see cref="MigrationException"/> (<see cref="MigrationExitCode.HistoryConflict"/>) when
    /// it was written by the other drizzle-orm generation than the folder's layout (mixing them breaks both).
    /// </summary>
    public static async Task<MigrationHistory> ReadAsync(NpgsqlConnection connection, MigrationFolderLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(ColumnsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(reader.GetString(0));
            }
        }

        if (columns.Count == 0)
        {
            return new MigrationHistory(false, []);
        }

        var hasName = columns.Contains("name");
        if (layout == MigrationFolderLayout.Journal && hasName)
        {
            throw new MigrationException(
                MigrationExitCode.HistoryConflict,
                $"{QualifiedName} in database \"{connection.Database}\" has drizzle-orm 1.0's \"name\" column, but the folder uses the 0.45 journal layout. " +
                "Expected one drizzle generation per database (mixing 0.45 and 1.0 runners breaks the history). Nothing was changed. " +
                "Fix: migrate this database with the 1.0 layout (drizzle-kit up converts the folder).");
        }

        if (layout == MigrationFolderLayout.FolderPerMigration && !hasName)
        {
            throw new MigrationException(
                MigrationExitCode.HistoryConflict,
                $"{QualifiedName} in database \"{connection.Database}\" is drizzle-orm 0.45's table (no \"name\" column), but the folder uses the 1.0 layout. " +
                "This runner does not rewrite history rows. Nothing was changed. " +
                "Fix: run drizzle-orm 1.0's migrate() once to upgrade the table in place, or keep using the 0.45 folder for this database.");
        }

        var rows = new List<AppliedMigration>();
        var sql = hasName
            ? $"SELECT id, hash, created_at, name FROM {QualifiedName} ORDER BY id"
            : $"SELECT id, hash, created_at FROM {QualifiedName} ORDER BY id";
        await using (var command = new NpgsqlCommand(sql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new AppliedMigration(
                    reader.GetInt32(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetInt64(2),
                    hasName && !reader.IsDBNull(3) ? reader.GetString(3) : null));
            }
        }

        return new MigrationHistory(true, rows);
    }

    /// <summary>Creates the schema and table with drizzle's own statements (idempotent).</summary>
    public static async Task CreateAsync(NpgsqlConnection connection, MigrationFolderLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (var command = new NpgsqlCommand(CreateSchemaSql, connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(layout == MigrationFolderLayout.Journal ? CreateJournalTableSql : CreateFolderTableSql, connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
