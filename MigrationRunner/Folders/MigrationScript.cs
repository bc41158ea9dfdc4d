namespace StackModel.MigrationRunner.Folders;

/// <summary>One migration file, read exactly as drizzle-orm reads it.</summary>
/// <param name="Name">The journal tag (<c>0001_add_users</c>) or, in the 1.0 layout, the folder name.</param>
/// <param name="FilePath">The full path of the SQL file.</param>
/// <param name="CreatedAt">The value stored in <c>created_at</c>: the journal's <c>when</c>, or the folder's timestamp in milliseconds.</param>
/// <param name="Hash">SHA-256 of the file's bytes, lowercase hex (what drizzle stores in <c>hash</c>).</param>
/// <param name="Statements">The file's text split on the literal <c>--&gt; statement-breakpoint</c>, untrimmed.</param>
internal sealed record MigrationScript(string Name, string FilePath, long CreatedAt, string Hash, IReadOnlyList<string> Statements)
{
    /// <summary>The literal drizzle splits a file on.</summary>
    public const string StatementBreakpoint = "--> statement-breakpoint";

    /// <summary>Returns the 1-based line of the file on which statement <paramref name="index"/> (0-based) starts.</summary>
    public int StartLineOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Statements.Count);
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            line += Statements[i].AsSpan().Count('\n');
        }

        return line;
    }
}
