using System.Data;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackModel.MigrationRunner.Diagnostics;
using StackModel.MigrationRunner.Folders;
using StackModel.MigrationRunner.Logging;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// Applies a Drizzle migrations folder the way drizzle-orm's <c>migrate()</c> does — same history table, rows,
/// selection rule and statement split, every pending file in one transaction — after proving the target, refusing
/// foreign migration histories and conflicting histories, and under an advisory lock.
/// </summary>
internal sealed class MigrationEngine(NpgsqlDataSource dataSource, TargetVerifier targetVerifier, ILogger logger, Func<CancellationToken, Task>? beforeConnect = null)
{
    // A batch holds at most this many characters of SQL (more files go in the next one), so memory stays bounded.
    private const long MaxBatchCharacters = 8 * 1024 * 1024;

    // The names of the server-clock answers a batch adds (a migration's own SELECT never answers with these).
    private const string StartedAtColumn = "stackmodel_batch_started_at";
    private const string AppliedAtColumn = "stackmodel_migration_applied_at";

    /// <summary>Reads <paramref name="migrationsPath"/> and migrates; never throws for a refusal or failure, returns it.</summary>
    public async Task<MigrationResult> RunAsync(string migrationsPath, CancellationToken cancellationToken = default)
    {
        MigrationFolder folder;
        try
        {
            folder = MigrationFolderReader.Read(migrationsPath);
        }
        catch (MigrationException ex)
        {
            return MigrationResult.Failure(ex);
        }

        logger.FolderRead(folder.Scripts.Count, folder.Path, folder.Layout.ToString());
        return await RunAsync(folder, cancellationToken);
    }

    /// <summary>Migrates the database to <paramref name="folder"/>; never throws for a refusal or failure, returns it.</summary>
    public async Task<MigrationResult> RunAsync(MigrationFolder folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (beforeConnect is not null)
        {
            await beforeConnect(cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return MigrationResult.Failure(Unreachable(ex));
        }

        await using (connection)
        {
            try
            {
                await targetVerifier.VerifyAsync(connection, cancellationToken);
                await ForeignHistoryDetector.EnsureNoneAsync(connection, cancellationToken);
                await MigrationLock.AcquireAsync(connection, logger, cancellationToken);
                try
                {
                    var history = await MigrationHistoryTable.ReadAsync(connection, folder.Layout, cancellationToken);
                    var pending = MigrationPlanner.Plan(folder, history);
                    if (!history.TableExists)
                    {
                        await MigrationHistoryTable.CreateAsync(connection, folder.Layout, cancellationToken);
                    }

                    if (pending.Count > 0)
                    {
                        await ApplyAsync(connection, folder.Layout, pending, cancellationToken);
                    }

                    logger.MigrationSucceeded(pending.Count, folder.Scripts.Count - pending.Count, stopwatch.ElapsedMilliseconds);
                    return MigrationResult.Success(pending);
                }
                finally
                {
                    await ReleaseLockAsync(connection);
                }
            }
            catch (MigrationException ex)
            {
                return MigrationResult.Failure(ex);
            }
            catch (NpgsqlException ex) when (ex is not PostgresException)
            {
                return MigrationResult.Failure(Unreachable(ex));
            }
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationFolderLayout layout, IReadOnlyList<MigrationScript> pending, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var index = 0;
        while (index < pending.Count)
        {
            if (!IsBatchable(pending[index]))
            {
                await ApplyOneByOneAsync(connection, transaction, layout, pending[index], cancellationToken);
                index++;
                continue;
            }

            // drizzle-kit's files: consecutive ones travel together, statements and history rows, in one round trip.
            var end = index;
            var characters = 0L;
            while (end < pending.Count && IsBatchable(pending[end]) && (end == index || characters + SizeOf(pending[end]) <= MaxBatchCharacters))
            {
                characters += SizeOf(pending[end]);
                end++;
            }

            await ApplyAsBatchAsync(connection, transaction, layout, pending, index, end, cancellationToken);
            index = end;
        }

        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new MigrationException(
                MigrationExitCode.MigrationFailed,
                $"Committing {pending.Count} pending migration(s) ({pending[0].Name} to {pending[^1].Name}) failed: {ex.SqlState}: {ex.MessageText}. " +
                "Nothing was applied: the one transaction holding every pending migration was rolled back. " +
                FixFor(ex, "Fix: read PostgreSQL's log for the reason, then run again."),
                ex);
        }
    }

    private static bool IsBatchable(MigrationScript script) =>
        script.Statements.All(statement => string.IsNullOrWhiteSpace(statement) || StatementShape.IsSingleStatement(statement));

    private static long SizeOf(MigrationScript script)
    {
        var size = 0L;
        foreach (var statement in script.Statements)
        {
            size += statement.Length;
        }

        return size;
    }

    private static NpgsqlBatchCommand HistoryInsert(string sql, MigrationFolderLayout layout, MigrationScript script)
    {
        var insert = new NpgsqlBatchCommand(sql);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = script.Hash });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = script.CreatedAt });
        if (layout == MigrationFolderLayout.FolderPerMigration)
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = script.Name });
        }

        return insert;
    }

    // pending[first..end) in one NpgsqlBatch: the server's clock first, then each file's statements and its history row,
    // which returns the server's clock once the file's statements ran. The round trips between files are gone, so the
    // client cannot time each file itself: its span is placed by the server's clock (the time its statements took),
    // started and ended, with its log line, as the answers arrive.
    private async Task ApplyAsBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationFolderLayout layout, IReadOnlyList<MigrationScript> pending, int first, int end, CancellationToken cancellationToken)
    {
        var insertSql = MigrationHistoryTable.InsertReturningServerTimeSql(layout, AppliedAtColumn);
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT clock_timestamp() AS \"{StartedAtColumn}\""));

        // For each command of the batch: the file it belongs to and its statement's index, -1 for the file's history row.
        var owners = new List<(int Script, int Statement)>(((end - first) * 4) + 1) { (first, -1) };
        for (var scriptIndex = first; scriptIndex < end; scriptIndex++)
        {
            var script = pending[scriptIndex];
            for (var statement = 0; statement < script.Statements.Count; statement++)
            {
                if (!string.IsNullOrWhiteSpace(script.Statements[statement]))
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(script.Statements[statement]));
                    owners.Add((scriptIndex, statement));
                }
            }

            batch.BatchCommands.Add(HistoryInsert(insertSql, layout, script));
            owners.Add((scriptIndex, -1));
        }

        logger.SendingMigrations(end - first, pending[first].Name, pending[end - 1].Name);
        var clientStarted = DateTime.UtcNow;
        DateTime? serverStarted = null;
        DateTime? previous = null;
        var next = first;
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            do
            {
                // Only the two kinds of answer this batch adds carry these column names; a migration's own SELECT is skipped.
                if (reader.FieldCount != 1 || !await reader.ReadAsync(cancellationToken))
                {
                    continue;
                }

                var name = reader.GetName(0);
                if (name == StartedAtColumn && serverStarted is null)
                {
                    serverStarted = previous = reader.GetFieldValue<DateTime>(0);
                }
                else if (name == AppliedAtColumn && serverStarted is { } origin && previous is { } started && next < end)
                {
                    var applied = reader.GetFieldValue<DateTime>(0);
                    var startedAt = clientStarted + (started - origin);
                    RecordApplied(pending[next], startedAt, applied - started);
                    previous = applied;
                    next++;
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }
        catch (PostgresException ex)
        {
            // Npgsql names the failed command only when the connection string asks it to (IncludeFailedBatchedCommand);
            // otherwise every command that completed has a StatementType, and the first without one is the one that failed.
            var failed = ex.BatchCommand is { } command ? batch.BatchCommands.IndexOf(command) : -1;
            if (failed < 0)
            {
                failed = 0;
                while (failed < batch.BatchCommands.Count && batch.BatchCommands[failed].StatementType != Npgsql.StatementType.Unknown)
                {
                    failed++;
                }
            }

            var (scriptIndex, statement) = failed < owners.Count ? owners[failed] : (Math.Min(next, end - 1), -1);
            var script = pending[scriptIndex];
            var error = statement >= 0 ? StatementFailed(script, statement, ex) : HistoryRowFailed(script, ex);

            // The failed file's span: from the end of the file before it (by the server's clock) to now.
            var startedAt = serverStarted is { } origin && previous is { } started ? clientStarted + (started - origin) : clientStarted;
            using var span = RunnerTelemetry.StartMigration(script, startedAt);
            logger.ApplyingMigration(script.Name, script.Statements.Count);
            RunnerTelemetry.EndMigration(span, script, DateTime.UtcNow - startedAt, error);
            throw error;
        }

        if (next != end)
        {
            throw new InvalidOperationException($"The batch of migrations {pending[first].Name} to {pending[end - 1].Name} answered {next - first} history row(s), expected {end - first}.");
        }
    }

    private void RecordApplied(MigrationScript script, DateTime startedAt, TimeSpan elapsed)
    {
        using var span = RunnerTelemetry.StartMigration(script, startedAt);
        logger.ApplyingMigration(script.Name, script.Statements.Count);
        RunnerTelemetry.EndMigration(span, script, elapsed, error: null, endTime: startedAt + elapsed);
    }

    // Hand-written chunks may hold several statements, or none: each goes on its own, as drizzle sends it.
    private async Task ApplyOneByOneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationFolderLayout layout, MigrationScript script, CancellationToken cancellationToken)
    {
        // The migration's span is current while it runs: Npgsql's spans and this log line belong to it.
        using var span = RunnerTelemetry.StartMigration(script);
        var started = Stopwatch.GetTimestamp();
        logger.ApplyingMigration(script.Name, script.Statements.Count);
        try
        {
            for (var index = 0; index < script.Statements.Count; index++)
            {
                var statement = script.Statements[index];
                if (string.IsNullOrWhiteSpace(statement))
                {
                    // PostgreSQL answers an empty query for it; Npgsql refuses to send one.
                    continue;
                }

                await using var command = new NpgsqlCommand(statement, connection, transaction) { CommandTimeout = 0 };
                try
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (PostgresException ex)
                {
                    throw StatementFailed(script, index, ex);
                }
            }

            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { HistoryInsert(MigrationHistoryTable.InsertSql(layout), layout, script) } };
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw HistoryRowFailed(script, ex);
            }
        }
        catch (Exception ex)
        {
            RunnerTelemetry.EndMigration(span, script, Stopwatch.GetElapsedTime(started), ex);
            throw;
        }

        RunnerTelemetry.EndMigration(span, script, Stopwatch.GetElapsedTime(started), error: null);
    }

    private static MigrationException HistoryRowFailed(MigrationScript script, PostgresException error) => new(
        MigrationExitCode.MigrationFailed,
        $"Migration \"{script.Name}\" (\"{script.FilePath}\") ran, but recording it in the history failed: {error.SqlState}: {error.MessageText}. " +
        "Nothing was applied: the one transaction holding every pending migration was rolled back. " +
        FixFor(error, "Fix: check drizzle.__drizzle_migrations (its columns must be drizzle's), then run again."),
        error)
    {
        Script = script,
    };

    private static MigrationException StatementFailed(MigrationScript script, int index, PostgresException error)
    {
        var statement = script.Statements[index];
        // The line of the error's position when PostgreSQL gives one, else of the statement's first word.
        var offset = error.Position > 0 && error.Position <= statement.Length
            ? error.Position - 1
            : statement.Length - statement.TrimStart().Length;
        var line = script.StartLineOf(index) + statement.AsSpan(0, offset).Count('\n');

        var text = statement.Trim();
        if (text.Length > 300)
        {
            text = string.Concat(text.AsSpan(0, 297), "...");
        }

        return new MigrationException(
            MigrationExitCode.MigrationFailed,
            $"Migration \"{script.Name}\" failed at statement {index + 1} of {script.Statements.Count} (\"{script.FilePath}\", line {line}): " +
            $"{error.SqlState}: {error.MessageText}{(error.Detail is null ? string.Empty : $" ({error.Detail})")}. Statement: {text} " +
            "Nothing was applied: the one transaction holding every pending migration was rolled back. " +
            (statement.StartsWith('\uFEFF') ? "The file starts with a UTF-8 byte order mark, which PostgreSQL does not accept (drizzle-orm fails the same way). " : string.Empty) +
            FixFor(error, "Fix: correct the statement in a migration that was never applied anywhere, or add a new migration, and run again."),
            error)
        {
            Script = script,
        };
    }

    // A failure of the server rather than of the migration: the statement is fine, the fix is on the machine.
    private static string FixFor(PostgresException error, string statementFix)
    {
        var crashed = error.Severity is "PANIC" or "FATAL"
            ? $"PostgreSQL answered {error.Severity}: the server stopped and tries to recover by itself; when it cannot (recovery needs room for its write-ahead log), " +
              "it stays down: restart the postgres resource once the cause is fixed. "
            : string.Empty;
        return error.SqlState switch
        {
            PostgresErrorCodes.DiskFull =>
                crashed + "The disk holding PostgreSQL's data directory is full; the migration itself is not at fault. " +
                "Fix: free space on that disk (the postgres resource's log says where its data lives), then run the migrations again.",
            PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ConfigurationLimitExceeded =>
                crashed + "The server ran out of a resource; the migration itself is not at fault. Fix: free that resource (memory, connections), then run the migrations again.",
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow =>
                crashed + "The server stopped while the migration ran; the migration itself is not at fault. " +
                "Fix: read the postgres resource's log for why (a full disk shows as \"No space left on device\"), fix that, then run the migrations again.",
            _ => crashed + statementFix,
        };
    }

    private MigrationException Unreachable(Exception error)
    {
        var target = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return new MigrationException(
            MigrationExitCode.DatabaseUnreachable,
            $"Cannot reach database \"{target.Database}\" at {target.Host}:{target.Port} as \"{target.Username}\": {error.Message} Nothing was changed. " +
            "Fix: start the stack's PostgreSQL (the AppHost starts it before the runner), and check that ConnectionStrings names the host, port and credentials the AppHost model declares.",
            error);
    }

    private static async Task ReleaseLockAsync(NpgsqlConnection connection)
    {
        if (connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await MigrationLock.ReleaseAsync(connection, timeout.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException)
        {
            // Closing the session releases a session-level advisory lock as well.
        }
    }
}
