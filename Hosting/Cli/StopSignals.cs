using System.Globalization;
using System.Runtime.InteropServices;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Cli;

/// <summary>
/// The signals that stop a running stack cleanly, as Ctrl+C does: SIGTERM always (<c>kill PID</c>, what scripts, service
/// managers and CI send), SIGINT (Ctrl+C) and SIGHUP (the terminal closed) unless they were ignored when the AppHost started.
/// A non-interactive shell starts <c>cmd &amp;</c> with SIGINT and SIGQUIT ignored so that a Ctrl+C meant for the script does
/// not reach its background jobs, and <c>nohup</c> ignores SIGHUP so that the command outlives its terminal; both are inherited
/// across <c>exec</c>. The AppHost keeps such a signal ignored, as the .NET runtime, Python and PostgreSQL's own tools do,
/// rather than undo what the caller asked for.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    private StopSignals(IReadOnlyList<string> ignoredOnEntry)
    {
        IgnoredOnEntry = ignoredOnEntry;
    }

    /// <summary>Gets the stop signals this process found ignored at start and leaves ignored (<c>SIGINT</c>, <c>SIGHUP</c>).</summary>
    public IReadOnlyList<string> IgnoredOnEntry { get; }

    /// <summary>Gets the line that tells the user how to stop the stack.</summary>
    public string Hint => IgnoredOnEntry.Contains("SIGINT")
        ? string.Create(CultureInfo.InvariantCulture, $"Use kill {Environment.ProcessId} (SIGTERM) to stop the stack: Ctrl+C (SIGINT) was ignored when this AppHost started, as a script's background job (cmd &) starts it.")
        : "Press Ctrl+C to stop the stack.";

    /// <summary>Calls <paramref name="stop"/> on each stop signal this process honours; the default action (termination) is cancelled.</summary>
    public static StopSignals Register(Action stop)
    {
        ArgumentNullException.ThrowIfNull(stop);

        // Read before registering: a registration installs a handler, and the disposition at start is what the caller chose.
        var ignored = new List<string>();
        if (NativeMethods.IsIgnored(NativeMethods.SigInt))
        {
            ignored.Add("SIGINT");
        }

        if (NativeMethods.IsIgnored(NativeMethods.SigHup))
        {
            ignored.Add("SIGHUP");
        }

        var signals = new StopSignals(ignored);
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            stop();
        }

        signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler));
        if (!ignored.Contains("SIGINT"))
        {
            signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler));
        }

        if (!ignored.Contains("SIGHUP"))
        {
            signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handler));
        }

        return signals;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
