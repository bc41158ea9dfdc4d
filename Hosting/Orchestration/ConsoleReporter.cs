namespace StackModel.Hosting.Orchestration;

/// <summary>
/// The console when output is redirected (CI, a pipe, a log file): a timestamped line per state change, a line every
/// <see cref="WaitReportInterval"/> for each resource still waiting ("migrations waiting for litellm (30 s)"), then a summary table.
/// </summary>
internal sealed class ConsoleReporter(ResourceNotificationService notifications, TextWriter output, TimeSpan? waitReportInterval = null, string? stopHint = null) : IConsoleView
{
    /// <summary>How often a long wait is reported by default.</summary>
    public static readonly TimeSpan WaitReportInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (ResourceState State, string? Detail)> _last = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeSpan _waitReportInterval = waitReportInterval ?? WaitReportInterval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var waits = ReportWaitsAsync(cancellationToken);
        try
        {
            await foreach (var snapshot in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                var detail = Detail(snapshot);
                if (_last.TryGetValue(snapshot.Name, out var last) && last.State == snapshot.State && last.Detail == detail)
                {
                    continue;
                }

                _last[snapshot.Name] = (snapshot.State, detail);
                Write($"{DateTime.Now:HH:mm:ss} {snapshot.Name,-14} {snapshot.State,-13} {detail}".TrimEnd());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await waits.ConfigureAwait(false);
    }

    public void ShowDashboard(string statusLine) => Write($"{DateTime.Now:HH:mm:ss} {statusLine}");

    public void PrintSummary(IEnumerable<string> names)
    {
        // Plain aligned columns: a log file or CI keeps every address on one line, at any width.
        List<string[]> rows = [["Resource", "Type", "Runtime", "State", "Address"]];
        var reasons = new List<string>();
        foreach (var name in names)
        {
            if (notifications.TryGetSnapshot(name) is { } s)
            {
                rows.Add([s.Name, s.ResourceType, s.Runtime, s.State.ToString(), string.Join(" ", s.Urls)]);
                if (s.Reason is not null)
                {
                    reasons.Add($"{s.Name}: {s.Reason}");
                }
            }
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd();
        lock (_gate)
        {
            output.WriteLine(Line(rows[0]));
            output.WriteLine(Line([.. widths.Select(width => new string('-', width))]));
            foreach (var row in rows.Skip(1))
            {
                output.WriteLine(Line(row));
            }

            foreach (var reason in reasons)
            {
                output.WriteLine(reason);
            }

            output.WriteLine(stopHint ?? "Press Ctrl+C to stop the stack.");
            output.Flush();
        }
    }

    /// <summary>The line for a resource that has been waiting a while: what it waits for, and for how long.</summary>
    internal static string WaitLine(ResourceSnapshot snapshot, DateTimeOffset now) =>
        $"{snapshot.Name} waiting for {string.Join(", ", snapshot.WaitingFor)} ({Seconds(now - (snapshot.WaitingSince ?? now))} s)";

    private async Task ReportWaitsAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_waitReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var s in notifications.Snapshots.Where(s => s.State == ResourceState.Waiting && s.WaitingFor.Count > 0).OrderBy(s => s.Name, StringComparer.Ordinal))
                {
                    if (now - (s.WaitingSince ?? now) >= _waitReportInterval)
                    {
                        Write($"{DateTime.Now:HH:mm:ss} {WaitLine(s, now)}");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static long Seconds(TimeSpan elapsed) => (long)Math.Max(0, Math.Round(elapsed.TotalSeconds));

    internal static string? Detail(ResourceSnapshot snapshot) => snapshot.State switch
    {
        ResourceState.Waiting when snapshot.WaitingFor.Count > 0 => $"for {string.Join(", ", snapshot.WaitingFor)}",
        ResourceState.Healthy or ResourceState.Running when snapshot.Urls.Count > 0 => string.Join(" ", snapshot.Urls),
        ResourceState.Finished or ResourceState.Exited when snapshot.ExitCode is null => snapshot.Reason,
        ResourceState.Finished or ResourceState.Exited =>
            $"exit code {snapshot.ExitCode}{(Runtimes.ExitStatus.SignalName(snapshot.ExitCode.Value) is { } signal ? $" ({signal})" : string.Empty)}" +
            (snapshot.Reason is null ? string.Empty : $" - {snapshot.Reason}"),
        _ => snapshot.Reason,
    };
}
