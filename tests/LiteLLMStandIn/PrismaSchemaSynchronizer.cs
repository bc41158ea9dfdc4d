using Microsoft.Extensions.Logging;
using Npgsql;

namespace StackModel.LiteLLMStandIn;

/// <summary>
/// Does to the database what LiteLLM does at boot: applies its Prisma migrations (recorded in
/// <c>_prisma_migrations</c>), recreates its views, and then, like <c>prisma db push --accept-data-loss</c>,
/// drops every table of the <c>public</c> schema that its schema does not know. The drop is deliberate: it
/// replays how a database shared with LiteLLM loses the application's tables.
/// </summary>
internal sealed class PrismaSchemaSynchronizer(NpgsqlDataSource dataSource, ILogger logger)
{
    public async Task SynchronizeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({LiteLLMSchema.AdvisoryLockKey})", null, cancellationToken);
        try
        {
            await ExecuteAsync(connection, LiteLLMSchema.CreateMigrationsTableSql, null, cancellationToken);
            await RefuseFailedMigrationsAsync(connection, cancellationToken);
            var applied = await ApplyPendingMigrationsAsync(connection, cancellationToken);
            Log.MigrationsDone(logger, applied, LiteLLMSchema.Migrations.Count);

            await ExecuteAsync(connection, LiteLLMSchema.CreateViewsSql, null, cancellationToken);
            await DropForeignTablesAsync(connection, cancellationToken);
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({LiteLLMSchema.AdvisoryLockKey})", null, CancellationToken.None);
        }
    }

    private static async Task RefuseFailedMigrationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NULL AND rolled_back_at IS NULL LIMIT 1""",
            connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is string failed)
        {
            throw new InvalidOperationException(
                $"P3009: migrate found failed migrations in the target database, new migrations will not be applied. " +
                $"The `{failed}` migration failed. Resolve it with prisma migrate resolve.");
        }
    }

    private async Task<int> ApplyPendingMigrationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            """SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL""",
            connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                done.Add(reader.GetString(0));
            }
        }

        var applied = 0;
        foreach (var migration in LiteLLMSchema.Migrations.Where(m => !done.Contains(m.Name)))
        {
            Log.ApplyingMigration(logger, migration.Name);
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, migration.Sql, transaction, cancellationToken);
                await RecordMigrationAsync(connection, migration, finished: true, logs: null, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (PostgresException exception)
            {
                // As Prisma does, leave a failed row behind: the next start refuses with P3009.
                await RecordMigrationAsync(connection, migration, finished: false, exception.Message, null, CancellationToken.None);
                throw;
            }

            applied++;
        }

        return applied;
    }

    private static async Task RecordMigrationAsync(
        NpgsqlConnection connection,
        PrismaMigration migration,
        bool finished,
        string? logs,
        NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
            VALUES (@id, @checksum, CASE WHEN @finished THEN now() END, @name, @logs, now(), CASE WHEN @finished THEN 1 ELSE 0 END)
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("id", Guid.NewGuid().ToString());
        command.Parameters.AddWithValue("checksum", migration.Checksum);
        command.Parameters.AddWithValue("finished", finished);
        command.Parameters.AddWithValue("name", migration.Name);
        command.Parameters.AddWithValue("logs", (object?)logs ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task DropForeignTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var keep = LiteLLMSchema.Tables.Append(LiteLLMSchema.MigrationsTable).ToArray();
        var foreign = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = @schema AND NOT (tablename = ANY(@keep)) ORDER BY tablename",
            connection))
        {
            command.Parameters.AddWithValue("schema", LiteLLMSchema.Schema);
            command.Parameters.AddWithValue("keep", keep);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                foreign.Add(reader.GetString(0));
            }
        }

        if (foreign.Count == 0)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in foreign)
        {
            var qualified = $"{QuoteIdentifier(LiteLLMSchema.Schema)}.{QuoteIdentifier(table)}";
            await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {qualified}", connection, transaction))
            {
                var rows = (long)(await count.ExecuteScalarAsync(cancellationToken) ?? 0L);
                Log.DroppingForeignTable(logger, table, rows);
            }

            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {qualified} CASCADE", transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
