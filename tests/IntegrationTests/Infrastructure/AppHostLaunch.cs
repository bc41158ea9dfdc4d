using Xunit.Abstractions;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// How a test starts the AppHost process. The signal dispositions are set explicitly (through coreutils' <c>env</c>), so a
/// test never depends on how <c>dotnet test</c> itself was started: a script's background job (<c>cmd &amp;</c>) and
/// <c>nohup</c> start it with SIGINT/SIGQUIT or SIGHUP ignored, and an ignored disposition is inherited across exec.
/// </summary>
/// <param name="Output">Where the AppHost's output and surviving processes are written when the test ends (shown for a failed test).</param>
/// <param name="IgnoredSignals">Signals the AppHost starts with ignored (<c>INT,QUIT</c> as a script's <c>cmd &amp;</c>, <c>HUP</c> as <c>nohup</c>); every other stop signal starts with its default action, as in a terminal.</param>
/// <param name="Variables">Environment variables added for the AppHost (<c>NAME=value</c>), e.g. <c>STACKMODEL_STARTUP_TIMELINE</c>.</param>
internal sealed record AppHostLaunch(ITestOutputHelper? Output = null, string IgnoredSignals = "", IReadOnlyList<string>? Variables = null)
{
    /// <summary>The stop signals whose disposition a launch sets.</summary>
    public static readonly IReadOnlyList<string> StopSignals = ["INT", "QUIT", "HUP"];

    /// <summary>Started from an interactive terminal: every stop signal has its default action.</summary>
    public static AppHostLaunch InTerminal(ITestOutputHelper? output = null) => new(output);

    /// <summary>Started as a background job of a non-interactive shell (<c>bash -c 'cmd &amp;'</c>): SIGINT and SIGQUIT ignored.</summary>
    public static AppHostLaunch AsScriptBackgroundJob(ITestOutputHelper? output = null) => new(output, "INT,QUIT");

    /// <summary>Started under <c>nohup</c>: SIGHUP ignored.</summary>
    public static AppHostLaunch UnderNohup(ITestOutputHelper? output = null) => new(output, "HUP");

    /// <summary>The same launch with <paramref name="name"/> set to <paramref name="value"/> in the AppHost's environment.</summary>
    public AppHostLaunch WithVariable(string name, string value) => this with { Variables = [.. Variables ?? [], $"{name}={value}"] };

    /// <summary>The same launch writing its start-up timeline to <paramref name="file"/> (<c>STACKMODEL_STARTUP_TIMELINE</c>); unchanged when it is <see langword="null"/>.</summary>
    public AppHostLaunch WithTimeline(string? file) => file is null ? this : WithVariable("STACKMODEL_STARTUP_TIMELINE", file);

    /// <summary>The milestones of a timeline file written by <see cref="WithTimeline"/> (its second column); none when it was not written.</summary>
    public static List<string> TimelineMarks(string file) => File.Exists(file)
        ? File.ReadAllLines(file).Select(line => line.Split('\t')).Where(parts => parts.Length > 1).Select(parts => parts[1]).ToList()
        : [];

    /// <summary>The <c>env</c> options that set the dispositions, then the variables.</summary>
    public IEnumerable<string> EnvOptions()
    {
        var ignored = IgnoredSignals.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var defaults = StopSignals.Except(ignored).ToArray();
        if (defaults.Length > 0)
        {
            yield return "--default-signal=" + string.Join(',', defaults);
        }

        if (ignored.Length > 0)
        {
            yield return "--ignore-signal=" + string.Join(',', ignored);
        }

        foreach (var variable in Variables ?? [])
        {
            yield return variable;
        }
    }
}
