namespace StackModel.MigrationRunner;

/// <summary>
/// The process exit code of the migration runner: zero when the database is up to date, one distinct value per
/// failure class so that the AppHost (and a person reading its dashboard) can tell what went wrong without the log.
/// </summary>
internal enum MigrationExitCode
{
    /// <summary>Every pending migration was applied, or there was nothing to do.</summary>
    Success = 0,

    /// <summary>An error no other code describes (a bug, or the runner was stopped before it finished).</summary>
    Unexpected = 1,

    /// <summary>The configuration, the migrations folder, its journal or one of its files is invalid.</summary>
    InvalidInput = 2,

    /// <summary>The connection reached a database or server port other than the one the stack expects.</summary>
    TargetMismatch = 3,

    /// <summary>The database carries another tool's migration history (Prisma, LiteLLM, ...): one migration system per database.</summary>
    ForeignMigrationHistory = 4,

    /// <summary>The applied history disagrees with the folder: an applied file was edited, an entry is out of order, or rows are unknown.</summary>
    HistoryConflict = 5,

    /// <summary>A statement failed; every pending migration was rolled back.</summary>
    MigrationFailed = 6,

    /// <summary>The database could not be reached or refused the connection.</summary>
    DatabaseUnreachable = 7,

    /// <summary>The dependency named by <c>Migrations:WaitForHealthUrl</c> did not answer 200 within <c>Migrations:WaitTimeout</c>.</summary>
    DependencyNotHealthy = 8,
}
