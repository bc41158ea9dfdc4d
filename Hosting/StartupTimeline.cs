using System.Diagnostics;
using System.Globalization;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting;

/// <summary>
/// Where a start's time goes, for the start-up benchmark (benchmarks/StackModel.Benchmarks.Startup): when the environment
/// variable <see cref="EnvironmentVariable"/> names a file, the AppHost appends one line per milestone to it — the Unix time in
/// milliseconds, a tab, the milestone: the process's start, the builder's construction, the model built, every resource's
/// first entry into each state (PostgreSQL starting, accepting connections, healthy; each database healthy once provisioned;
/// the runner held at its gate, its gate opened, finished), the first line of each kind the runner writes (read its folder,
/// connected and verified its target, up to date) and the stack settled. A third column says how much the JIT had compiled
/// by then (<c>jit 812 methods 95.3 ms</c>: what ReadyToRun did not cover). Unset, nothing is recorded and nothing is watched.
/// </summary>
internal static class StartupTimeline
{
    /// <summary>The environment variable that names the timeline file.</summary>
    public const string EnvironmentVariable = "STACKMODEL_STARTUP_TIMELINE";

    private static readonly string? FilePath = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? path : null;
    private const int MaxOutputMarks = 12;
    private static readonly Lock Gate = new();

    /// <summary>Gets whether milestones are recorded (the environment variable names a file).</summary>
    public static bool IsRecording => FilePath is not null;

    /// <summary>Records <paramref name="milestone"/> now (and, on the first call, the process's start).</summary>
    public static void Mark(string milestone)
    {
        if (FilePath is null)
        {
            return;
        }

        Write(DateTimeOffset.UtcNow, milestone);
    }

    /// <summary>Records <paramref name="milestone"/> as reached at <paramref name="when"/>.</summary>
    public static void Mark(DateTimeOffset when, string milestone)
    {
        if (FilePath is null)
        {
            return;
        }

        Write(when, milestone);
    }

    /// <summary>Records the process's start; called once, as the builder is constructed.</summary>
    public static void MarkProcessStart()
    {
        if (FilePath is null)
        {
            return;
        }

        using var process = Process.GetCurrentProcess();
        Write(new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero), "AppHost process started (kernel start time, 10 ms resolution)");
        Write(DateTimeOffset.UtcNow, "builder constructing (Main entered)");
    }

    /// <summary>Watches the resources' states and the runner's output of the started application until <paramref name="cancellationToken"/> ends.</summary>
    public static void Watch(ResourceNotificationService notifications, ResourceLoggerService logs, IEnumerable<string> projectNames, CancellationToken cancellationToken)
    {
        if (FilePath is null)
        {
            return;
        }

        _ = Task.Run(
            async () =>
            {
                var seen = new HashSet<(string, ResourceState)>();
                try
                {
                    await foreach (var snapshot in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (snapshot.State != ResourceState.NotStarted && seen.Add((snapshot.Name, snapshot.State)))
                        {
                            Mark($"{snapshot.Name} {snapshot.State}");
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The application stopped.
                }
            },
            CancellationToken.None);
        foreach (var name in projectNames)
        {
            _ = Task.Run(
                async () =>
                {
                    var kinds = new HashSet<string>(StringComparer.Ordinal);
                    try
                    {
                        await foreach (var line in logs.WatchAsync(name, backlog: 0, cancellationToken).ConfigureAwait(false))
                        {
                            // One mark per kind of line, at most MaxOutputMarks, named by its first words (the same in every start).
                            var label = Label(line.Text);
                            if (kinds.Count < MaxOutputMarks && kinds.Add(label))
                            {
                                Write(line.Timestamp, $"{name} output: {label}");
                            }
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        // The application stopped.
                    }
                },
                CancellationToken.None);
        }
    }

    /// <summary>The first words of a line, without a leading timestamp, log level and category (<c>12:00:00.000 info: Category[200] Read 2 migration(s) from</c> → <c>Read migration(s) from …</c>), numbers left out.</summary>
    private static string Label(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).AsEnumerable();
        words = words.SkipWhile(word => word.Length > 0 && char.IsDigit(word[0]) && word.Contains(':', StringComparison.Ordinal));
        if (words.FirstOrDefault() is { } level && level.EndsWith(':') && level.Length <= 6)
        {
            words = words.Skip(2);
        }

        // Numbers that change from start to start (a pid, a port) are left out.
        return string.Join(' ', words.Where(word => word.Any(char.IsLetter) && !word.StartsWith("(pid", StringComparison.Ordinal)).Take(4));
    }

    private static void Write(DateTimeOffset when, string milestone)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{when.ToUnixTimeMilliseconds() + (when.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond):0.0}\t{milestone.ReplaceLineEndings(" ").Replace('\t', ' ')}\tjit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0} ms\n");
        lock (Gate)
        {
            try
            {
                File.AppendAllText(FilePath!, line);
            }
            catch (IOException)
            {
                // A benchmark aid: a file that cannot be written costs the stack nothing.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
