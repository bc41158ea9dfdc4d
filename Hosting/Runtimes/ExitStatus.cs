namespace StackModel.Hosting.Runtimes;

/// <summary>
/// Says how a process ended. .NET reports a process killed by a signal as exit code 128 + the signal's number (as shells do),
/// so <c>kill -9</c> shows as 137: this names the signal.
/// </summary>
internal static class ExitStatus
{
    /// <summary>Returns the signal's name (<c>SIGKILL</c>) when <paramref name="exitCode"/> is 128 + a known signal, else <see langword="null"/>.</summary>
    public static string? SignalName(int exitCode) => exitCode switch
    {
        129 => "SIGHUP",
        130 => "SIGINT",
        131 => "SIGQUIT",
        134 => "SIGABRT",
        135 => "SIGBUS",
        136 => "SIGFPE",
        137 => "SIGKILL",
        139 => "SIGSEGV",
        141 => "SIGPIPE",
        143 => "SIGTERM",
        _ => null,
    };

    /// <summary>Returns "was killed by SIGKILL (exit code 137)" or "exited with code 3".</summary>
    public static string Describe(int exitCode) =>
        SignalName(exitCode) is { } signal ? $"was killed by {signal} (exit code {exitCode})" : $"exited with code {exitCode}";
}
