using System.Text.RegularExpressions;

namespace StackModel.Hosting.Postgres;

/// <summary>The database and role names StackModel accepts: unquoted lower-case PostgreSQL identifiers.</summary>
internal static partial class PostgresIdentifiers
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "postgres", "template0", "template1" };

    public static void ThrowIfInvalidDatabaseName(string databaseName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        if (!Identifier().IsMatch(databaseName) || Reserved.Contains(databaseName))
        {
            throw new ArgumentException(
                $"Database name '{databaseName}' is not a valid identifier here. Use lower-case letters, digits and '_', starting with a letter or '_', " +
                "at most 57 characters (the owner role adds '_owner'), and not 'postgres', 'template0' or 'template1'; for example 'app_dev'.",
                nameof(databaseName));
        }
    }

    /// <summary>Quotes an identifier that has already been validated.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,56}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
