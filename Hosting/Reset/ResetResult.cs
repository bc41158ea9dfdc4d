namespace StackModel.Hosting.Reset;

/// <summary>What a reset did.</summary>
/// <param name="Database">The database's resource name.</param>
/// <param name="Recreated">Whether the database was dropped and created again (otherwise its tables were emptied).</param>
/// <param name="TruncatedTables">The tables emptied, schema-qualified; empty after a recreate.</param>
/// <param name="MigrationRunner">The migration runner run after a recreate, or <see langword="null"/>.</param>
public sealed record ResetResult(string Database, bool Recreated, IReadOnlyList<string> TruncatedTables, string? MigrationRunner);
