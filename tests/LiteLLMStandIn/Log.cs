using Microsoft.Extensions.Logging;

namespace StackModel.LiteLLMStandIn;

/// <summary>The stand-in's log lines; their wording follows LiteLLM's and Prisma's where they have one.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information,
        "LiteLLM stand-in starting: database {DatabaseName} on {DatabaseHost}:{DatabasePort} as {DatabaseUser}, listening on 0.0.0.0:{Port}")]
    public static partial void Starting(ILogger logger, string? databaseName, string? databaseHost, int databasePort, string? databaseUser, int port);

    [LoggerMessage(2, LogLevel.Information, "Using config file {ConfigPath} ({ConfigBytes} bytes)")]
    public static partial void ConfigFileFound(ILogger logger, string configPath, long configBytes);

    [LoggerMessage(3, LogLevel.Information, "No --config given; running with the default settings")]
    public static partial void NoConfigFile(ILogger logger);

    [LoggerMessage(4, LogLevel.Warning, "DATABASE_URL parameter {ParameterName} is Prisma-only and ignored by the stand-in")]
    public static partial void IgnoredDatabaseUrlParameter(ILogger logger, string parameterName);

    [LoggerMessage(5, LogLevel.Information, "prisma migrate: applying migration {MigrationName}")]
    public static partial void ApplyingMigration(ILogger logger, string migrationName);

    [LoggerMessage(6, LogLevel.Information, "prisma migrate: {AppliedCount} migration(s) applied, {KnownCount} known; database schema is up to date")]
    public static partial void MigrationsDone(ILogger logger, int appliedCount, int knownCount);

    [LoggerMessage(7, LogLevel.Warning,
        "prisma db push --accept-data-loss: dropping table \"public\".\"{TableName}\" ({RowCount} rows), which is not in LiteLLM's schema. All the data in the table is lost.")]
    public static partial void DroppingForeignTable(ILogger logger, string tableName, long rowCount);

    [LoggerMessage(8, LogLevel.Warning, "Database not reachable yet (attempt {Attempt}): {Reason}")]
    public static partial void DatabaseNotReachable(ILogger logger, int attempt, string reason);

    [LoggerMessage(9, LogLevel.Error,
        "Could not bring the database to LiteLLM's schema: {Reason}. Serving anyway; /health/readiness reports db \"Not connected\".")]
    public static partial void SchemaSetupFailed(ILogger logger, string reason);

    [LoggerMessage(10, LogLevel.Information, "Delaying startup by {DelayMilliseconds} ms (LITELLM_STANDIN_STARTUP_DELAY_MS)")]
    public static partial void StartupDelay(ILogger logger, double delayMilliseconds);

    [LoggerMessage(11, LogLevel.Warning, "LITELLM_STANDIN_NEVER_HEALTHY=true: health endpoints answer 503 forever")]
    public static partial void NeverHealthy(ILogger logger);

    [LoggerMessage(12, LogLevel.Information, "LiteLLM stand-in ready on 0.0.0.0:{Port}")]
    public static partial void Ready(ILogger logger, int port);
}
