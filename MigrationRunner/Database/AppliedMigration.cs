namespace StackModel.MigrationRunner.Database;

/// <summary>One row of <c>drizzle.__drizzle_migrations</c>; <see cref="Name"/> exists only in the drizzle-orm 1.0 table.</summary>
internal sealed record AppliedMigration(int Id, string Hash, long? CreatedAt, string? Name);
