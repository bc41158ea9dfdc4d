using Npgsql;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Reset;

/// <summary>
/// Empties every table of a database except its migration history, in one transaction that first proves the target with
/// <see cref="StackTargetGuard"/>: one <c>TRUNCATE … RESTART IDENTITY CASCADE</c> over the whole list, or nothing at all.
/// </summary>
/// <remarks>
/// The transaction commits with <c>synchronous_commit = off</c>: a reset is repeatable, so a server crash in the following
/// fraction of a second may at worst undo it, never corrupt anything; it saves the WAL flush on every reset between tests.
/// </remarks>
internal static class DatabaseTruncation
{
    /// <summary>Tables that record which migrations ran; emptying them would make the next run apply everything again.</summary>
    internal const string TablesSql =
        """
        SELECT format('%I.%I', n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
          AND NOT (n.nspname = 'drizzle' AND c.relname = '__drizzle_migrations')
          AND c.relname NOT IN ('_prisma_migrations', '__EFMigrationsHistory')
        ORDER BY 1
        """;

    /// <summary>Proves the target, then empties its tables. Throws, having changed nothing, when the guard refuses.</summary>
    /// <param name="connectionString">How to reach the database (the owner's connection, derived from the model).</param>
    /// <param name="record">The stack record: the expected side of the guard.</param>
    /// <param name="recordPath">Where the record was read from.</param>
    /// <param name="database">The database's resource or PostgreSQL name in the record.</param>
    /// <param name="cancellationToken">Cancels the reset; the transaction is rolled back.</param>
    /// <returns>The tables emptied.</returns>
    public static async Task<IReadOnlyList<string>> TruncateAsync(string connectionString, StackRecord record, string recordPath, string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await StackTargetGuard.VerifyAsync(connection, record, database, recordPath, cancellationToken).ConfigureAwait(false);

        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SET LOCAL lock_timeout = '10s'; SET LOCAL synchronous_commit = off; " + TablesSql, connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count > 0)
        {
            try
            {
                await using var truncate = new NpgsqlCommand($"TRUNCATE TABLE {string.Join(", ", tables)} RESTART IDENTITY CASCADE", connection, transaction);
                await truncate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new DistributedApplicationException(
                    $"Database '{database}' was not reset: another session holds a lock on its tables (a transaction left open by the app or a tool?) and did not let go within 10 s. Nothing was changed. Close that session and reset again.", ex);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new DistributedApplicationException(
                    $"Database '{database}' was not reset: {ex.MessageText}. Tables not owned by the database's owner role cannot be emptied by it; nothing was changed. Use reset --recreate.", ex);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return tables;
    }
}
