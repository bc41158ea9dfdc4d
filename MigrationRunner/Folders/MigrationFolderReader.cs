using System.Globalization;
using System.Text.Json;

namespace StackModel.MigrationRunner.Folders;

/// <summary>
/// Reads a Drizzle migrations folder, detecting its layout: the drizzle-orm 0.45 journal layout
/// (<c>meta/_journal.json</c> + <c>&lt;tag&gt;.sql</c>) or the drizzle-orm 1.0 layout
/// (<c>&lt;YYYYMMDDHHMMSS&gt;_&lt;name&gt;/migration.sql</c>). A folder with both or neither is refused.
/// </summary>
internal static class MigrationFolderReader
{
    /// <summary>The journal of the 0.45 layout, relative to the folder.</summary>
    public const string JournalRelativePath = "meta/_journal.json";

    /// <summary>The SQL file inside each migration folder of the 1.0 layout.</summary>
    public const string FolderMigrationFileName = "migration.sql";

    private const int TimestampLength = 14;

    /// <summary>Reads the folder; every problem is a <see cref="MigrationException"/> with <see cref="MigrationExitCode.InvalidInput"/>.</summary>
    public static MigrationFolder Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(fullPath))
        {
            throw Invalid(
                $"Migrations folder \"{fullPath}\" does not exist (Migrations:Path = \"{path}\", working directory \"{Environment.CurrentDirectory}\"). " +
                "Nothing was applied. Fix: set Migrations:Path to the folder drizzle-kit writes to (the `out` of drizzle.config.ts, db/migrations in this repository).");
        }

        var journalPath = System.IO.Path.Combine(fullPath, "meta", "_journal.json");
        var hasJournal = File.Exists(journalPath);
        var migrationFolders = Directory.EnumerateDirectories(fullPath)
            .Where(directory => File.Exists(System.IO.Path.Combine(directory, FolderMigrationFileName)))
            .Select(directory => System.IO.Path.GetFileName(directory))
            .Order(StringComparer.Ordinal)
            .ToList();

        if (hasJournal && migrationFolders.Count > 0)
        {
            throw Invalid(
                $"Migrations folder \"{fullPath}\" mixes two layouts: it has {JournalRelativePath} (drizzle-orm 0.45) and {migrationFolders.Count} " +
                $"<YYYYMMDDHHMMSS>_<name>/{FolderMigrationFileName} folder(s) (drizzle-orm 1.0, e.g. \"{migrationFolders[0]}\"). " +
                "Expected exactly one. Nothing was applied. Fix: finish the upgrade (drizzle-kit up writes the 1.0 layout; then delete meta/ and the <tag>.sql files) or remove the 1.0 folders.");
        }

        if (hasJournal)
        {
            return new MigrationFolder(fullPath, MigrationFolderLayout.Journal, ReadJournalLayout(fullPath, journalPath));
        }

        if (migrationFolders.Count > 0)
        {
            return new MigrationFolder(fullPath, MigrationFolderLayout.FolderPerMigration, ReadFolderLayout(fullPath, migrationFolders));
        }

        var looseSqlFiles = Directory.EnumerateFiles(fullPath, "*.sql").Count();
        throw Invalid(
            $"Migrations folder \"{fullPath}\" has neither {JournalRelativePath} (drizzle-orm 0.45 layout) nor <YYYYMMDDHHMMSS>_<name>/{FolderMigrationFileName} folders (drizzle-orm 1.0 layout)" +
            (looseSqlFiles > 0 ? $"; it has {looseSqlFiles} .sql file(s), so the journal \"{journalPath}\" is missing" : "; it is empty") + ". " +
            "Nothing was applied. Fix: restore meta/_journal.json from version control or regenerate the folder with drizzle-kit generate.");
    }

    private static List<MigrationScript> ReadJournalLayout(string folder, string journalPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(journalPath));
        }
        catch (JsonException ex)
        {
            throw Invalid(
                $"Journal \"{journalPath}\" is not valid JSON: {ex.Message} Nothing was applied. " +
                "Fix: restore the file from version control, or repair it by hand (a merge conflict marker is the usual cause).",
                ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(
                    $"Journal \"{journalPath}\" has no \"entries\" array. Expected {{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[...]}}. " +
                    "Nothing was applied. Fix: restore the file from version control or regenerate it with drizzle-kit generate.");
            }

            if (root.TryGetProperty("dialect", out var dialect) && dialect.ValueKind == JsonValueKind.String && dialect.GetString() != "postgresql")
            {
                throw Invalid(
                    $"Journal \"{journalPath}\" is for dialect \"{dialect.GetString()}\", expected \"postgresql\". " +
                    "Nothing was applied. Fix: point Migrations:Path at the PostgreSQL migrations folder.");
            }

            var scripts = new List<MigrationScript>(entries.GetArrayLength());
            var tags = new Dictionary<string, int>(StringComparer.Ordinal);
            var whens = new Dictionary<long, string>();
            var index = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                var (tag, when) = ReadEntry(journalPath, entry, index);
                if (!tags.TryAdd(tag, index))
                {
                    throw Invalid(
                        $"Journal \"{journalPath}\" lists tag \"{tag}\" twice (entries {tags[tag]} and {index}). Expected each tag once. " +
                        "Nothing was applied. Fix: remove the duplicate entry (usually left by a merge).");
                }

                if (!whens.TryAdd(when, tag))
                {
                    throw Invalid(
                        $"Journal \"{journalPath}\": entries \"{whens[when]}\" and \"{tag}\" have the same \"when\" ({when}); drizzle stores \"when\" as created_at, so the two cannot be told apart in the history. " +
                        "Nothing was applied. Fix: give the later entry a larger \"when\".");
                }

                var filePath = System.IO.Path.Combine(folder, tag + ".sql");
                scripts.Add(MigrationScriptReader.Read(tag, filePath, when, $"entry {index} (\"{tag}\") of journal \"{journalPath}\""));
                index++;
            }

            return scripts;
        }
    }

    private static (string Tag, long When) ReadEntry(string journalPath, JsonElement entry, int index)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("tag", out var tagElement) || tagElement.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("when", out var whenElement) || whenElement.ValueKind != JsonValueKind.Number)
        {
            throw Invalid(
                $"Journal \"{journalPath}\": entry {index} is {Shorten(entry.GetRawText())}, expected an object with a string \"tag\" and a number \"when\" " +
                "(e.g. {\"idx\":0,\"version\":\"7\",\"when\":1735689600000,\"tag\":\"0000_init\",\"breakpoints\":true}). Nothing was applied. Fix: repair the entry or regenerate the journal with drizzle-kit.");
        }

        var tag = tagElement.GetString()!;
        if (tag.Length == 0 || tag.Contains('/', StringComparison.Ordinal) || tag.Contains('\\', StringComparison.Ordinal) || tag.Contains("..", StringComparison.Ordinal))
        {
            throw Invalid(
                $"Journal \"{journalPath}\": entry {index} has tag \"{tag}\", expected a file name without path separators (e.g. \"0000_init\"). " +
                "Nothing was applied. Fix: repair the entry's tag.");
        }

        if (!whenElement.TryGetInt64(out var when) || when <= 0)
        {
            throw Invalid(
                $"Journal \"{journalPath}\": entry {index} (\"{tag}\") has \"when\": {whenElement.GetRawText()}, expected a positive whole number of milliseconds since 1970. " +
                "Nothing was applied. Fix: repair the entry's \"when\".");
        }

        return (tag, when);
    }

    private static List<MigrationScript> ReadFolderLayout(string folder, List<string> names)
    {
        var scripts = new List<MigrationScript>(names.Count);
        foreach (var name in names)
        {
            if (name.Length <= TimestampLength + 1
                || name[TimestampLength] != '_'
                || !DateTime.TryParseExact(
                    name.AsSpan(0, TimestampLength),
                    "yyyyMMddHHmmss",
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                    out var timestamp))
            {
                throw Invalid(
                    $"Migration folder \"{System.IO.Path.Combine(folder, name)}\" is not named <YYYYMMDDHHMMSS>_<name> (e.g. 20250101120000_init), which drizzle-orm 1.0 uses for ordering and created_at. " +
                    "Nothing was applied. Fix: rename the folder, or regenerate it with drizzle-kit generate.");
            }

            var createdAt = new DateTimeOffset(timestamp, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var filePath = System.IO.Path.Combine(folder, name, FolderMigrationFileName);
            scripts.Add(MigrationScriptReader.Read(name, filePath, createdAt, $"folder \"{name}\""));
        }

        return scripts;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static MigrationException Invalid(string message, Exception? innerException = null) =>
        new(MigrationExitCode.InvalidInput, message, innerException);
}
