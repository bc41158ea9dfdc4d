using Microsoft.Extensions.Logging;
using Npgsql;
using StackModel.MigrationRunner.Logging;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// Serializes runners on one database with a session-level PostgreSQL advisory lock, taken before the history table
/// is created or read and held until the transaction has committed. drizzle-orm takes no lock, so two of its
/// runners started together both apply the same migration.
/// </summary>
internal static class MigrationLock
{
    /// <summary>
    /// The advisory lock key: the ASCII bytes of "drizzle" (0x64 72 69 7A 7A 6C 65) read as a big-endian integer,
    /// 28_268_165_413_596_261. Advisory locks are per database, so runners on different databases never wait for each other.
    /// </summary>
    public const long Key = 0x0064_7269_7A7A_6C65;

    /// <summary>Takes the lock, logging once when another runner holds it; waits until it is free or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task AcquireAsync(NpgsqlConnection connection, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (var tryCommand = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection))
        {
            tryCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Key });
            if ((bool)(await tryCommand.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
        }

        logger.WaitingForLock(Key);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Key });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Releases the lock (closing the session releases it too).</summary>
    public static async Task ReleaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Key });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
