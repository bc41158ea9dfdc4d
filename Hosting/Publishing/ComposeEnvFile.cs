using System.Text;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Publishing;

/// <summary>
/// The <c>.env</c> next to the compose file: every parameter of the stack (passwords, keys) and the stack id, as
/// <c>NAME=value</c> lines that docker-compose substitutes into <c>${NAME}</c> references. Written with mode 0600.
/// </summary>
internal static class ComposeEnvFile
{
    /// <summary>The stack's id, which db-init marks the databases with (<c>stackmodel.stack_id</c>).</summary>
    public const string StackIdVariable = "STACKMODEL_STACK_ID";

    /// <summary>The variable of parameter <paramref name="parameterName"/>: upper case, <c>_</c> for every character that is not a letter or digit (<c>postgres-password</c> → <c>POSTGRES_PASSWORD</c>).</summary>
    public static string VariableOf(string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameterName);
        var name = new StringBuilder(parameterName.Length);
        foreach (var c in parameterName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return name.ToString();
    }

    /// <summary>Reads an existing file's values; an absent file has none.</summary>
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || equals <= 0)
            {
                continue;
            }

            values[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return values;
    }

    /// <summary>Writes the file (mode 0600) with <paramref name="header"/> and one line per value, in the given order.</summary>
    public static void Write(string path, string header, IEnumerable<(string Variable, string Value, string Comment)> values)
    {
        var text = new StringBuilder(header);
        foreach (var (variable, value, comment) in values)
        {
            text.Append("# ").Append(comment).Append('\n').Append(variable).Append('=').Append(value).Append('\n');
        }

        SecureFile.WriteAllText(path, text.ToString());
    }
}
