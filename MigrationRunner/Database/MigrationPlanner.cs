using System.Globalization;
using System.Text;
using StackModel.MigrationRunner.Folders;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// Decides what to apply, with drizzle's selection rule, and refuses where drizzle would silently do the wrong thing:
/// an applied file whose bytes changed, a pending entry that drizzle would skip forever because its <c>when</c> is
/// not newer than the last applied one, and history rows the folder does not know.
/// </summary>
internal static class MigrationPlanner
{
    /// <summary>Returns the pending migrations in the order to apply them; throws <see cref="MigrationException"/> (<see cref="MigrationExitCode.HistoryConflict"/>).</summary>
    public static IReadOnlyList<MigrationScript> Plan(MigrationFolder folder, MigrationHistory history)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(history);
        return folder.Layout == MigrationFolderLayout.Journal
            ? PlanByCreatedAt(folder, history.Rows)
            : PlanByName(folder, history.Rows);
    }

    // drizzle-orm 0.45: apply the entries whose `when` is greater than max(created_at); rows match entries by created_at.
    private static List<MigrationScript> PlanByCreatedAt(MigrationFolder folder, IReadOnlyList<AppliedMigration> rows)
    {
        var rowWithoutCreatedAt = rows.FirstOrDefault(row => row.CreatedAt is null);
        if (rowWithoutCreatedAt is not null)
        {
            throw Conflict(
                $"{MigrationHistoryTable.QualifiedName} row id {rowWithoutCreatedAt.Id} (hash {rowWithoutCreatedAt.Hash}) has no created_at, so it cannot be matched to a journal entry. " +
                "Nothing was changed. Fix: set its created_at to the journal \"when\" of the migration it records.");
        }

        var rowsByCreatedAt = rows.ToLookup(row => row.CreatedAt!.Value);
        long? lastApplied = rows.Count == 0 ? null : rows.Max(row => row.CreatedAt!.Value);
        var edited = new List<string>();
        var outOfOrder = new List<string>();
        var pending = new List<MigrationScript>();
        foreach (var script in folder.Scripts)
        {
            var applied = rowsByCreatedAt[script.CreatedAt].ToList();
            if (applied.Count > 0)
            {
                edited.AddRange(applied.Where(row => row.Hash != script.Hash).Select(row => Edited(script, row)));
            }
            else if (lastApplied is { } last && script.CreatedAt <= last)
            {
                outOfOrder.Add(
                    $"\"{script.Name}\" (when {script.CreatedAt} = {Format(script.CreatedAt)}) is pending but not newer than the last applied migration " +
                    $"(created_at {last} = {Format(last)}{NameOf(folder, last)})");
            }
            else
            {
                pending.Add(script);
            }
        }

        var known = folder.Scripts.Select(script => script.CreatedAt).ToHashSet();
        var unknown = rows.Where(row => !known.Contains(row.CreatedAt!.Value))
            .Select(row => $"id {row.Id} (created_at {row.CreatedAt} = {Format(row.CreatedAt!.Value)}, hash {row.Hash})")
            .ToList();
        ThrowIfConflicts(folder, edited, outOfOrder, unknown, "journal \"when\"");
        return pending;
    }

    // drizzle-orm 1.0: apply the folders whose name is not in the history.
    private static List<MigrationScript> PlanByName(MigrationFolder folder, IReadOnlyList<AppliedMigration> rows)
    {
        var rowsByName = rows.Where(row => row.Name is not null).ToLookup(row => row.Name!, StringComparer.Ordinal);
        var edited = new List<string>();
        var pending = new List<MigrationScript>();
        foreach (var script in folder.Scripts)
        {
            var applied = rowsByName[script.Name].ToList();
            if (applied.Count > 0)
            {
                edited.AddRange(applied.Where(row => row.Hash != script.Hash).Select(row => Edited(script, row)));
            }
            else
            {
                pending.Add(script);
            }
        }

        var known = folder.Scripts.Select(script => script.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = rows.Where(row => row.Name is null || !known.Contains(row.Name))
            .Select(row => $"id {row.Id} (name {row.Name ?? "NULL"}, hash {row.Hash})")
            .ToList();
        ThrowIfConflicts(folder, edited, [], unknown, "folder name");
        return pending;
    }

    private static void ThrowIfConflicts(MigrationFolder folder, List<string> edited, List<string> outOfOrder, List<string> unknown, string key)
    {
        if (edited.Count == 0 && outOfOrder.Count == 0 && unknown.Count == 0)
        {
            return;
        }

        var message = new StringBuilder("Refusing to migrate: the database's migration history disagrees with \"")
            .Append(folder.Path).Append("\". Nothing was applied.");
        if (edited.Count > 0)
        {
            message.Append(" Applied migration(s) changed since they were applied: ").AppendJoin("; ", edited)
                .Append(". drizzle-orm never re-hashes applied files and would silently ignore the change.");
        }

        if (outOfOrder.Count > 0)
        {
            message.Append(" Out-of-order entr(ies): ").AppendJoin("; ", outOfOrder)
                .Append(". drizzle-orm would skip them forever without a word.");
        }

        if (unknown.Count > 0)
        {
            message.Append(" History row(s) that match no migration in the folder by ").Append(key).Append(": ").AppendJoin("; ", unknown)
                .Append(". The folder is older than the database, or belongs to another application.");
        }

        message.Append(" Fix: never edit an applied migration — restore the applied file from version control and put the change in a new migration (drizzle-kit generate); ")
            .Append("give an out-of-order entry a \"when\" newer than the last applied one (or regenerate it after merging); ")
            .Append("point Migrations:Path at the folder that migrated this database.");
        throw Conflict(message.ToString());
    }

    private static string Edited(MigrationScript script, AppliedMigration row) =>
        $"\"{script.FilePath}\" hash is {script.Hash} but history row id {row.Id} recorded {row.Hash} when it was applied";

    private static string NameOf(MigrationFolder folder, long createdAt)
    {
        var script = folder.Scripts.FirstOrDefault(candidate => candidate.CreatedAt == createdAt);
        return script is null ? string.Empty : $", \"{script.Name}\"";
    }

    private static string Format(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);

    private static MigrationException Conflict(string message) => new(MigrationExitCode.HistoryConflict, message);
}
