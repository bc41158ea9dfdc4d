using Microsoft.Extensions.Logging;

namespace StackModel.MigrationRunner.Logging;

/// <summary>
/// Every log line of the runner, source-generated. Event ids are stable: dashboards and tests match on them.
/// 1xx: waiting for a dependency; 2xx: reading the folder; 3xx: the database; 9xx: the run's outcome.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Running without a LiteLLM wait: Migrations:WaitForHealthUrl is not set")]
    public static partial void RunningWithoutDependencyWait(this ILogger logger);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Waiting up to {TimeoutSeconds} s for GET {HealthUrl} to answer 200")]
    public static partial void WaitingForDependency(this ILogger logger, Uri healthUrl, double timeoutSeconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Health probe {Attempt} of {HealthUrl}: {Outcome}; retrying ({ElapsedSeconds:0.0} s elapsed)")]
    public static partial void DependencyProbeFailed(this ILogger logger, int attempt, Uri healthUrl, string outcome, double elapsedSeconds);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Health probe {Attempt} of {HealthUrl}: 200 after {ElapsedSeconds:0.0} s")]
    public static partial void DependencyHealthy(this ILogger logger, int attempt, Uri healthUrl, double elapsedSeconds);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Read {MigrationCount} migration(s) from {MigrationsPath} ({Layout} layout)")]
    public static partial void FolderRead(this ILogger logger, int migrationCount, string migrationsPath, string layout);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Target verified: database {Database} on server port {ServerPort}")]
    public static partial void TargetVerified(this ILogger logger, string database, string serverPort);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Target not verified: reached database {Database} on server port {ServerPort}, but Migrations:ExpectedDatabase and Migrations:ExpectedServerPort are not set")]
    public static partial void TargetNotVerified(this ILogger logger, string database, string serverPort);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Another runner holds migration lock {LockKey}; waiting for it to finish")]
    public static partial void WaitingForLock(this ILogger logger, long lockKey);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Applying {MigrationTag} ({StatementCount} statement(s))")]
    public static partial void ApplyingMigration(this ILogger logger, string migrationTag, int statementCount);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Checked database name, server port and role ({Role}) as configured; not checked: the cluster's identity (system identifier, stack id, postmaster start) and the database's oid, which only a stack record (Stack:RecordPath, written by the AppHost) holds")]
    public static partial void ClusterIdentityNotVerified(this ILogger logger, string role);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Sending {MigrationCount} migration(s), {FirstMigrationTag} to {LastMigrationTag}, in one round trip; each is logged as its answer arrives")]
    public static partial void SendingMigrations(this ILogger logger, int migrationCount, string firstMigrationTag, string lastMigrationTag);

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Database is up to date: {AppliedCount} migration(s) applied in {ElapsedMilliseconds} ms, {SkippedCount} already applied")]
    public static partial void MigrationSucceeded(this ILogger logger, int appliedCount, int skippedCount, long elapsedMilliseconds);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "Migration stopped with exit code {ExitCode} ({ExitCodeName}): {Reason}")]
    public static partial void MigrationStopped(this ILogger logger, int exitCode, MigrationExitCode exitCodeName, string reason);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "Migration stopped by an unexpected error")]
    public static partial void UnexpectedError(this ILogger logger, Exception exception);
}
