namespace StackModel.MigrationRunner.Folders;

/// <summary>A migrations folder read from disk: its layout and its migrations in the order drizzle applies them.</summary>
internal sealed record MigrationFolder(string Path, MigrationFolderLayout Layout, IReadOnlyList<MigrationScript> Scripts);
