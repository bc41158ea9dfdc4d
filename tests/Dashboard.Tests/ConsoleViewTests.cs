using Spectre.Console;
using StackModel.Hosting.Orchestration;

namespace StackModel.Dashboard.Tests;

public partial class ConsoleViewTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [System.Text.RegularExpressions.GeneratedRegex(@"line \d+-\d+")]
    private static partial System.Text.RegularExpressions.Regex LogLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"\d\d:\d\d:\d\d migrations waiting for litellm \((\d+) s\)")]
    private static partial System.Text.RegularExpressions.Regex WaitLine();

    private static ResourceSnapshot Waiting(DateTimeOffset since) => new()
    {
        Name = "migrations",
        ResourceType = "Project",
        State = ResourceState.Waiting,
        WaitingFor = ["litellm"],
        WaitingSince = since,
    };

    [Fact]
    public void A_long_wait_reads_as_what_is_waited_for_and_for_how_long()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.Equal("migrations waiting for litellm (30 s)", ConsoleReporter.WaitLine(Waiting(now.AddSeconds(-30)), now));
    }

    [Fact]
    public async Task Redirected_output_gets_a_line_per_interval_for_a_resource_still_waiting()
    {
        var notifications = new ResourceNotificationService();
        notifications.Publish(Waiting(DateTimeOffset.UtcNow.AddSeconds(-30)));
        var output = new StringWriter();
        using var cts = new CancellationTokenSource();
        var reporter = new ConsoleReporter(notifications, TextWriter.Synchronized(output), TimeSpan.FromMilliseconds(100));

        var running = reporter.RunAsync(cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!WaitLine().IsMatch(output.ToString()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await cts.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(output.ToString().Contains("migrations     Waiting       for litellm", StringComparison.Ordinal), output.ToString());
        var seconds = int.Parse(WaitLine().Match(output.ToString()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 30, 60);
    }

    [Fact]
    public async Task The_live_table_shows_state_address_the_wait_with_its_time_and_the_dashboard_url()
    {
        var notifications = new ResourceNotificationService();
        notifications.Publish(new ResourceSnapshot { Name = "postgres", ResourceType = "Postgres", State = ResourceState.Healthy, Urls = ["tcp://127.0.0.1:15432"] });
        notifications.Publish(Waiting(DateTimeOffset.UtcNow.AddSeconds(-12)));
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 160;
        var view = new ConsoleLiveView(notifications, console);
        using var cts = new CancellationTokenSource();

        var running = view.RunAsync(cts.Token);
        view.ShowDashboard("Dashboard: http://127.0.0.1:1234/login?t=abc");
        await Task.Delay(1500);
        await cts.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        var text = writer.ToString();
        Assert.Contains("postgres", text, StringComparison.Ordinal);
        Assert.Contains("Healthy", text, StringComparison.Ordinal);
        Assert.Contains("tcp://127.0.0.1:15432", text, StringComparison.Ordinal);
        Assert.Matches(@"waiting for litellm \(1[2-9] s\)", text);
        Assert.Contains("Dashboard: http://127.0.0.1:1234/login?t=abc", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_reason_is_cut_short_in_the_table()
    {
        var notifications = new ResourceNotificationService();
        var reason = "Resource 'litellm' is turned off: " + string.Concat(Enumerable.Repeat("a very long explanation ", 10)) + "THE END";
        notifications.Publish(new ResourceSnapshot { Name = "litellm", ResourceType = "LiteLLM", State = ResourceState.NotStarted, Reason = reason });
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 200;
        var view = new ConsoleLiveView(notifications, console);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await view.RunAsync(cts.Token).WaitAsync(TimeSpan.FromSeconds(10));

        var text = writer.ToString();
        Assert.Contains("Resource 'litellm' is turned off: a very long", text, StringComparison.Ordinal);
        Assert.Contains("…", text, StringComparison.Ordinal);
        Assert.DoesNotContain("THE END", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppHost_log_lines_during_the_live_view_go_through_it_and_after_it_to_the_console_logger()
    {
        var notifications = new ResourceNotificationService();
        notifications.Publish(new ResourceSnapshot { Name = "postgres", ResourceType = "Postgres", State = ResourceState.Healthy });
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 160;
        var sink = new ConsoleLogSink();
        var formatter = new StackConsoleFormatter(sink);
        var view = new ConsoleLiveView(notifications, console, sink);
        using var cts = new CancellationTokenSource();

        var running = view.RunAsync(cts.Token);
        var loggerOutput = new StringWriter();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!sink.TryWrite("probe") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        formatter.Write(Entry("during the live view"), null, loggerOutput);
        await Task.Delay(1200);
        await cts.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        formatter.Write(Entry("after it"), null, loggerOutput);

        Assert.Contains("warn: StackModel.Test[7] during the live view", writer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("during the live view", loggerOutput.ToString(), StringComparison.Ordinal);
        Assert.Contains("warn: StackModel.Test[7] after it", loggerOutput.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("after it", writer.ToString(), StringComparison.Ordinal);
        Assert.False(sink.TryWrite("no view any more"));
    }

    /// <summary>
    /// A deadlock test, not a speed test. Each line printed while the live table is on screen redraws the whole table, so the
    /// 12,000 lines are CPU-bound work: 15-31 s under a load average of 21-26 on 2 cores (measured), over a fixed 30 s bound
    /// once. So the test fails only when nothing moves for <see cref="Stall"/>: neither a writer nor the console makes progress.
    /// No lock is held while waiting on another (the queue's, the table's, the notifications', the writer's), so a stall is a bug.
    /// </summary>
    [Fact]
    public async Task Many_threads_logging_while_the_table_redraws_neither_deadlock_nor_lose_a_line()
    {
        var notifications = new ResourceNotificationService();
        var writer = new StringWriter();
        var synchronized = TextWriter.Synchronized(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(synchronized), Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Interactive = InteractionSupport.Yes });
        console.Profile.Width = 120;
        var sink = new ConsoleLogSink();
        var view = new ConsoleLiveView(notifications, console, sink);
        using var cts = new CancellationTokenSource();
        var running = view.RunAsync(cts.Token);
        while (!sink.TryWrite("probe"))
        {
            await Task.Delay(10);
        }

        var wall = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        long written = 0;
        var writers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 3000; i++)
            {
                // State changes make the table redraw while the lines arrive.
                notifications.Publish(new ResourceSnapshot { Name = $"r{t}", ResourceType = "Project", State = i % 2 == 0 ? ResourceState.Running : ResourceState.Starting });
                Assert.True(sink.TryWrite($"line {t}-{i}"));
                Interlocked.Increment(ref written);
            }
        }));

        // Progress: lines handed over by the writers, characters written by the console (SyncTextWriter locks on itself; a
        // console stuck inside a write holds that lock, and then counts as not moving).
        long consoleChars = 0;
        long Progress()
        {
            if (Monitor.TryEnter(synchronized, TimeSpan.FromSeconds(1)))
            {
                try
                {
                    consoleChars = writer.GetStringBuilder().Length;
                }
                finally
                {
                    Monitor.Exit(synchronized);
                }
            }

            return Interlocked.Read(ref written) + consoleChars;
        }

        await WithoutStallAsync(Task.WhenAll(writers), Progress, "the writers");
        await cts.CancelAsync();
        await WithoutStallAsync(running, Progress, "the live view printing the queued lines");
        output.WriteLine($"12,000 lines printed in {wall.Elapsed.TotalSeconds:0.0} s wall, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s CPU of this process; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.");

        var text = writer.ToString();
        var printed = LogLine().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(4 * 3000, printed.Count);
    }

    /// <summary>How long nothing may move before the test calls it a deadlock.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    private static async Task WithoutStallAsync(Task task, Func<long> progress, string what)
    {
        var last = progress();
        var lastMoved = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(500)));
            var now = progress();
            if (now != last)
            {
                (last, lastMoved) = (now, System.Diagnostics.Stopwatch.StartNew());
            }
            else if (lastMoved.Elapsed > Stall)
            {
                Assert.Fail($"Deadlock: {what} made no progress for {Stall.TotalSeconds:0} s (progress counter stuck at {now}).");
            }
        }

        await task;
    }

    private static Microsoft.Extensions.Logging.Abstractions.LogEntry<string> Entry(string message) =>
        new(Microsoft.Extensions.Logging.LogLevel.Warning, "StackModel.Test", new Microsoft.Extensions.Logging.EventId(7), message, null, (state, _) => state);
}
