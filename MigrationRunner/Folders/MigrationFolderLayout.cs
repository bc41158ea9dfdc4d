namespace StackModel.MigrationRunner.Folders;

/// <summary>The on-disk layouts of a Drizzle migrations folder that the runner reads.</summary>
internal enum MigrationFolderLayout
{
    /// <summary>
    /// drizzle-kit 0.x / drizzle-orm 0.45 (npm <c>latest</c>): <c>meta/_journal.json</c> lists the entries in order,
    /// SQL lives in <c>&lt;tag&gt;.sql</c>; history rows are <c>(hash, created_at = when)</c>, selected by <c>created_at</c>.
    /// </summary>
    Journal,

    /// <summary>
    /// drizzle-orm 1.0: one folder per migration, <c>&lt;YYYYMMDDHHMMSS&gt;_&lt;name&gt;/migration.sql</c>, ordered by name;
    /// history rows gain <c>name</c> and <c>applied_at</c> and are selected by name.
    /// </summary>
    FolderPerMigration,
}
