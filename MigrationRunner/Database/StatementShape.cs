namespace StackModel.MigrationRunner.Database;

/// <summary>
/// Tells, conservatively, whether a drizzle statement chunk holds exactly one SQL statement, so that a file's chunks
/// can travel in one <see cref="Npgsql.NpgsqlBatch"/> (one round trip) instead of one command each.
/// A chunk that might hold several statements, or none, is executed on its own, as drizzle does.
/// </summary>
internal static class StatementShape
{
    /// <summary>
    /// True when the chunk ends with its only semicolon and has text other than whitespace and <c>--</c> comment
    /// lines before it: what drizzle-kit writes for every statement. False for anything that needs a real SQL lexer.
    /// </summary>
    public static bool IsSingleStatement(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var text = chunk.AsSpan().TrimEnd();
        if (text.Length == 0 || text[^1] != ';' || text.IndexOf(';') != text.Length - 1 || text.Contains("/*", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var range in text[..^1].Split('\n'))
        {
            var line = text[range].Trim();
            if (line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
