using Npgsql;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// One migration system per database: refuses a database that carries another tool's migration history
/// (LiteLLM's Prisma tables above all, whose <c>db push</c> drops tables it does not know).
/// </summary>
internal static class ForeignHistoryDetector
{
    // Tables that only another migration tool (or LiteLLM itself) creates, in any schema.
    private const string Sql = """
        SELECT n.nspname, c.relname
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND (c.relname LIKE 'LiteLLM\_%'
               OR c.relname IN ('_prisma_migrations', '__EFMigrationsHistory', 'flyway_schema_history', 'knex_migrations', 'SequelizeMeta', 'goose_db_version'))
        ORDER BY n.nspname, c.relname
        LIMIT 10
        """;

    /// <summary>Throws <see cref="MigrationException"/> (<see cref="MigrationExitCode.ForeignMigrationHistory"/>) when such tables exist.</summary>
    public static async Task EnsureNoneAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var found = new List<string>();
        await using (var command = new NpgsqlCommand(Sql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add($"\"{reader.GetString(0)}\".\"{reader.GetString(1)}\" ({ToolOf(reader.GetString(1))})");
            }
        }

        if (found.Count > 0)
        {
            throw new MigrationException(
                MigrationExitCode.ForeignMigrationHistory,
                $"Refusing to migrate database \"{connection.Database}\": it carries another tool's migration history: {string.Join(", ", found)}. " +
                "Expected a database changed only by the Drizzle migrations (one migration system per database). Nothing was changed. " +
                "Fix: point the runner at the app's own database, and give LiteLLM its own database (litellm_dev) in the AppHost model.");
        }
    }

    private static string ToolOf(string table) => table switch
    {
        "_prisma_migrations" => "Prisma",
        "__EFMigrationsHistory" => "Entity Framework",
        "flyway_schema_history" => "Flyway",
        "knex_migrations" => "Knex",
        "SequelizeMeta" => "Sequelize",
        "goose_db_version" => "goose",
        _ => "LiteLLM",
    };
}
