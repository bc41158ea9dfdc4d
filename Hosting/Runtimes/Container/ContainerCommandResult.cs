namespace StackModel.Hosting.Runtimes.Container;

/// <summary>The outcome of one engine command. Judged by its exit code only: podman's aardvark-dns prints harmless noise on stderr.</summary>
/// <param name="ExitCode">The CLI's exit code.</param>
/// <param name="StandardOutput">What it printed on stdout.</param>
/// <param name="StandardError">What it printed on stderr.</param>
internal sealed record ContainerCommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The error text worth showing: stderr without the known syslog noise, else stdout.</summary>
    public string Error
    {
        get
        {
            var lines = StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => !l.Contains("failed to connect to syslog", StringComparison.Ordinal))
                .ToArray();
            var text = lines.Length > 0 ? string.Join(" ", lines) : StandardOutput.Trim();
            return text.Length > 0 ? text : $"exit code {ExitCode}, no output";
        }
    }
}
