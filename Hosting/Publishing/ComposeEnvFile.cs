using System.Text;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Publishing;

/// <summary>
/// The <c>.env</c> next to the compose file: every parameter of the stack (passwords, keys), the stack id and the compose project's
/// name, as <c>NAME=value</c> lines that docker-compose substitutes into <c>${NAME}</c> references. Written with mode 0600.
/// </summary>
internal static class ComposeEnvFile
{
    /// <summary>The stack's id, which db-init marks the databases with (<c>stackmodel.stack_id</c>).</summary>
    public const string StackIdVariable = "STACKMODEL_STACK_ID";

    /// <summary>The project name docker-compose (1.x and 2.x) reads from the <c>.env</c> of the folder it runs in, unless <c>-p</c> gives one.</summary>
    public const string ProjectNameVariable = "COMPOSE_PROJECT_NAME";

    /// <summary>
    /// The project name a new <c>.env</c> gets: <c>&lt;stack&gt;-&lt;id of the output folder&gt;</c> (as the AppHost's own network,
    /// <see cref="Runtimes.Container.ContainerStackNames"/>), lower case with every character compose refuses in a project name made '-'.
    /// </summary>
    public static string ProjectNameFor(string stackName, string outputDirectory)
    {
        var name = new StringBuilder(stackName.Length);
        foreach (var c in stackName.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' ? c : '-');
        }

        var prefix = name.ToString().TrimStart('-', '_');
        return $"{(prefix.Length > 0 ? prefix + "-" : string.Empty)}{Runtimes.Container.ContainerStackNames.IdOf(outputDirectory)}";
    }

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
