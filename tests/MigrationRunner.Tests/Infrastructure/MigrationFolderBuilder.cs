using System.Text;
using System.Text.Json;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// Writes a migrations folder in a temp directory, deleted on dispose: the drizzle-orm 0.45 layout (journal + tag.sql,
/// as drizzle-kit writes it) or, with <see cref="AddFolderMigration"/>, the 1.0 layout.
/// </summary>
public sealed class MigrationFolderBuilder : IDisposable
{
    /// <summary>A fixed base for journal "when" values (2025-01-01T00:00:00Z), one minute apart per entry.</summary>
    public const long BaseWhen = 1_735_689_600_000;

    private readonly List<(string Tag, long When)> _entries = [];

    public MigrationFolderBuilder()
    {
        Path = Directory.CreateTempSubdirectory("stackmodel-migrations-").FullName;
    }

    public string Path { get; }

    /// <summary>Adds an entry whose statements are joined by drizzle-kit's breakpoint (newline before it, as drizzle-kit writes).</summary>
    public MigrationFolderBuilder Add(string tag, params string[] statements) =>
        AddWithWhen(tag, BaseWhen + (_entries.Count * 60_000), statements);

    public MigrationFolderBuilder AddWithWhen(string tag, long when, params string[] statements) =>
        AddRaw(tag, when, Encoding.UTF8.GetBytes(string.Join("\n--> statement-breakpoint\n", statements)));

    /// <summary>Adds an entry with the file's exact bytes.</summary>
    public MigrationFolderBuilder AddRaw(string tag, long when, byte[] bytes)
    {
        _entries.Add((tag, when));
        File.WriteAllBytes(SqlPath(tag), bytes);
        WriteJournal();
        return this;
    }

    /// <summary>Adds a drizzle-orm 1.0 migration folder, <c>&lt;name&gt;/migration.sql</c>.</summary>
    public MigrationFolderBuilder AddFolderMigration(string name, params string[] statements)
    {
        var folder = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(System.IO.Path.Combine(folder, "migration.sql"), string.Join("\n--> statement-breakpoint\n", statements));
        return this;
    }

    public string SqlPath(string tag) => System.IO.Path.Combine(Path, tag + ".sql");

    public string JournalPath => System.IO.Path.Combine(Path, "meta", "_journal.json");

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private void WriteJournal()
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "meta"));
        var journal = new
        {
            version = "7",
            dialect = "postgresql",
            entries = _entries.Select((entry, index) => new { idx = index, version = "7", when = entry.When, tag = entry.Tag, breakpoints = true }),
        };
        File.WriteAllText(JournalPath, JsonSerializer.Serialize(journal, new JsonSerializerOptions { WriteIndented = true }));
    }
}
