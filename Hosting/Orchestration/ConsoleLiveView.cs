using System.Globalization;
using System.Threading.Channels;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// The console in a terminal: one table of resources redrawn in place (Spectre.Console live display) with state, health,
/// address and what a waiting resource waits for and for how long, plus the dashboard's login URL. The AppHost's own log
/// lines, handed over through <paramref name="logSink"/>, are printed above the table instead of through it.
/// </summary>
internal sealed class ConsoleLiveView(ResourceNotificationService notifications, IAnsiConsole console, ConsoleLogSink? logSink = null, string? stopHint = null) : IConsoleView
{
    private const int MaxDetailLength = 60;

    private readonly List<string> _order = [];
    private readonly Dictionary<string, ResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string? _dashboard;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var snapshot in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
                    {
                        lock (_gate)
                        {
                            if (!_snapshots.ContainsKey(snapshot.Name))
                            {
                                _order.Add(snapshot.Name);
                            }

                            _snapshots[snapshot.Name] = snapshot;
                        }

                        changed.Writer.TryWrite(true);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Stopped.
                }
            },
            CancellationToken.None);

        // Log lines are queued by the threads that log and printed by the loop below, between two redraws: written through
        // the live display's console they land above the table. Spectre's live display is not thread-safe (a write from
        // another thread during a redraw takes its two locks in the opposite order and deadlocks).
        var logLines = new Queue<string>();
        var logsClosed = false;
        bool Enqueue(string line)
        {
            lock (logLines)
            {
                if (logsClosed)
                {
                    return false;
                }

                logLines.Enqueue(line);
            }

            changed.Writer.TryWrite(true);
            return true;
        }

        void PrintLogLines()
        {
            while (true)
            {
                string line;
                lock (logLines)
                {
                    if (!logLines.TryDequeue(out line!))
                    {
                        return;
                    }
                }

                console.WriteLine(line);
            }
        }

        await console.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            var logs = logSink?.Attach(Enqueue);
            try
            {
                await RedrawUntilCancelledAsync(ctx).ConfigureAwait(false);
            }
            finally
            {
                logs?.Dispose();
                lock (logLines)
                {
                    logsClosed = true;
                }

                PrintLogLines();
            }
        }).ConfigureAwait(false);
        await pump.ConfigureAwait(false);

        async Task RedrawUntilCancelledAsync(LiveDisplayContext ctx)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    // Redraw on every change, and each second for the elapsed times.
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    tick.CancelAfter(TimeSpan.FromSeconds(1));
                    await changed.Reader.ReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // A tick, or the end.
                }

                PrintLogLines();
                ctx.UpdateTarget(Render());
                ctx.Refresh();
            }
        }
    }

    public void ShowDashboard(string statusLine)
    {
        lock (_gate)
        {
            _dashboard = statusLine;
        }
    }

    /// <summary>The table is the summary: it stays on screen, updated, until the stack stops.</summary>
    public void PrintSummary(IEnumerable<string> names)
    {
    }

    internal IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).Expand()
            .AddColumns("[bold]Resource[/]", "[bold]Type[/]", "[bold]State[/]", "[bold]Health[/]", "[bold]Address[/]", "[bold]Details[/]");
        string? dashboard;
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            dashboard = _dashboard;
            foreach (var name in _order)
            {
                var s = _snapshots[name];
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape(s.Name)}[/]"),
                    new Text(s.ResourceType),
                    new Markup($"[{Color(s.State)}]{s.State}[/]"),
                    new Text(s.State switch { ResourceState.Healthy => "Healthy", ResourceState.Unhealthy => "Unhealthy", _ => string.Empty }),
                    new Text(string.Join(" ", s.Urls)),
                    new Text(Shorten(Detail(s, now))));
            }
        }

        table.Title("[bold]StackModel[/]");
        table.Caption(Markup.Escape(dashboard ?? "Dashboard: starting…") + "   " + Markup.Escape(stopHint ?? "Press Ctrl+C to stop the stack."));
        return table;
    }

    // A long reason (what to do when a resource cannot start) is cut short in the table; it is printed in full above it.
    private static string Shorten(string? detail) =>
        detail is null ? string.Empty : detail.Length <= MaxDetailLength ? detail : string.Concat(detail.AsSpan(0, MaxDetailLength - 1).TrimEnd(), "…");

    private static string? Detail(ResourceSnapshot s, DateTimeOffset now) => s.State switch
    {
        ResourceState.Waiting when s.WaitingFor.Count > 0 =>
            $"waiting for {string.Join(", ", s.WaitingFor)} ({Math.Max(0, (long)Math.Round((now - (s.WaitingSince ?? now)).TotalSeconds)).ToString(CultureInfo.InvariantCulture)} s)",
        ResourceState.Finished or ResourceState.Exited => $"exit code {s.ExitCode}" + (s.Reason is null ? string.Empty : $" - {s.Reason}"),
        _ => s.Reason,
    };

    private static string Color(ResourceState state) => state switch
    {
        ResourceState.Healthy or ResourceState.Finished => "green",
        ResourceState.Running or ResourceState.Starting => "blue",
        ResourceState.Waiting or ResourceState.Stopping => "yellow",
        ResourceState.Unhealthy or ResourceState.Exited or ResourceState.FailedToStart => "red",
        _ => "grey",
    };
}
