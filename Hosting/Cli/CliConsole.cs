namespace StackModel.Hosting.Cli;

/// <summary>Where a verb reads and writes: the process's console, or a test's buffers.</summary>
/// <param name="Out">Results (what a script captures).</param>
/// <param name="Error">Messages, prompts and errors.</param>
/// <param name="In">Confirmation answers.</param>
/// <param name="IsCI">Whether this runs in CI (<c>CI=true</c>): nothing is asked, destructive verbs need <c>--yes</c>.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, bool IsCI)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Console.In,
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) || Environment.GetEnvironmentVariable("CI") == "1");
}
