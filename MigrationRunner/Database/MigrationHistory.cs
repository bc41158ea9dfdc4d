namespace StackModel.MigrationRunner.Database;

/// <summary>What <c>drizzle.__drizzle_migrations</c> holds: whether it exists and its rows in id order.</summary>
internal sealed record MigrationHistory(bool TableExists, IReadOnlyList<AppliedMigration> Rows);
