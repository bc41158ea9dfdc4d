using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// The real AppHost's dashboard under load, on loopback: 50 event-stream clients while one resource writes 100,000 log lines.
/// The flooding resource is LiteLLM's executable form given a shell script as its command (the declared model, no test-only code).
/// </summary>
public class DashboardLoadTests(ITestOutputHelper output)
{
    private const int FloodLines = 100_000;
    private const int LogClients = 25;
    private const int StateClients = 25;

    /// <summary>What the kept window holds per resource (<c>ResourceLoggerService.Capacity</c>).</summary>
    private const int Retained = 5_000;

    /// <summary>A generous bound for the AppHost's peak resident memory; the figure measured is written to the test output and README.</summary>
    private const long PeakBound = 512L * 1024 * 1024;

    /// <summary>A generous bound for one API answer during the flood on a shared two-core machine.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    [RequiresPostgresFact]
    public async Task Fifty_event_stream_clients_and_a_flood_of_100000_lines_keep_memory_bounded_the_api_live_and_the_kept_window_exact()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var go = Path.Combine(state.Path, "flood.go");
        var script = Path.Combine(state.Path, "flood.sh");
        await File.WriteAllTextAsync(script, $"""
            while [ ! -e '{go}' ]; do sleep 0.1; done
            seq 1 {FloodLines} | sed 's/^/flood line /'
            exec sleep 600
            """, ct);
        await using var host = AppHostProcess.Start(state.Path, FreePorts.Next(),
            "--Dashboard:Enabled=true", "--Dashboard:Port=0", "--Dashboard:OtlpPort=0",
            "--LiteLLM:Runtime=executable", "--LiteLLM:Command=/bin/sh", $"--LiteLLM:CommandArgs={script}",
            $"--Stack:Ports:litellm:http={FreePorts.Next()}");
        using var dashboard = await AppHostDashboard.ConnectAsync(host, ct);
        await dashboard.WaitForStateAsync("litellm", "Running", ct);
        var before = Memory(host.Id);

        using var streams = dashboard.CreateClient(Timeout.InfiniteTimeSpan);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var logClients = Enumerable.Range(0, LogClients).Select(_ => FollowLogAsync(streams, stop.Token)).ToArray();
        var stateClients = Enumerable.Range(0, StateClients).Select(_ => CountEventsAsync(streams, "/api/resources/stream", stop.Token)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2), ct); // every stream connected and past its first event

        var flood = Stopwatch.StartNew();
        await File.WriteAllTextAsync(go, string.Empty, ct);
        var slowest = TimeSpan.Zero;
        var answered = 0;
        var everyLogClientSawTheLastLine = Task.WhenAll(logClients);
        while (!everyLogClientSawTheLastLine.IsCompleted)
        {
            var request = Stopwatch.StartNew();
            using var answer = await dashboard.Client.GetAsync("/api/resources", ct);
            request.Stop();
            Assert.True(answer.IsSuccessStatusCode);
            answered++;
            slowest = request.Elapsed > slowest ? request.Elapsed : slowest;
            await Task.WhenAny(everyLogClientSawTheLastLine, Task.Delay(200, ct));
        }

        var received = await everyLogClientSawTheLastLine;
        flood.Stop();
        var after = Memory(host.Id);
        var window = await RetainedWindowAsync(dashboard, ct);
        await stop.CancelAsync();
        var stateEvents = await Task.WhenAll(stateClients);

        output.WriteLine($"{FloodLines:N0} lines into 'litellm' with {LogClients} log streams and {StateClients} state streams open: every log stream saw the last line " +
            $"{flood.Elapsed.TotalSeconds:F1} s after the flood began (each received {received.Min():N0}–{received.Max():N0} lines; a stream that cannot keep up skips the oldest).");
        output.WriteLine($"AppHost memory: RSS {before.Rss / 1048576.0:F0} MiB before, {after.Rss / 1048576.0:F0} MiB after; peak (VmHWM) {after.Peak / 1048576.0:F0} MiB.");
        output.WriteLine($"GET /api/resources during the flood: {answered} answers, slowest {slowest.TotalMilliseconds:F0} ms. State streams got {stateEvents.Min()}–{stateEvents.Max()} events.");

        Assert.True(after.Peak < PeakBound, $"Peak RSS {after.Peak / 1048576} MiB is over {PeakBound / 1048576} MiB.");
        Assert.True(slowest < AnswerBound, $"The slowest answer during the flood took {slowest.TotalMilliseconds:F0} ms.");
        Assert.All(stateEvents, events => Assert.True(events >= 1, "Every state stream got its first event."));
        Assert.Equal(Enumerable.Range(FloodLines - Retained + 1, Retained).Select(i => $"flood line {i}"), window);

        host.Signal(NativeMethods.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
    }

    /// <summary>Follows the flooded resource's log stream until it shows the last line; returns how many lines it received.</summary>
    private static async Task<int> FollowLogAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/resources/litellm/logs?tail=0", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var received = 0;
        string? eventName = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (eventName == "lines" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var batch = JsonDocument.Parse(line["data: ".Length..]);
                received += batch.RootElement.GetArrayLength();
                if (batch.RootElement.EnumerateArray().Any(l => l.GetProperty("text").GetString() == $"flood line {FloodLines}"))
                {
                    return received;
                }
            }
        }

        throw new InvalidOperationException("The log stream ended before the last line.");
    }

    /// <summary>Counts the events a state stream receives until cancelled.</summary>
    private static async Task<int> CountEventsAsync(HttpClient client, string path, CancellationToken ct)
    {
        var events = 0;
        try
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    events++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The test is done with it.
        }

        return events;
    }

    /// <summary>The newest lines the AppHost kept for 'litellm', as a new page opening its log sees them (backlog = the whole window).</summary>
    private static async Task<IReadOnlyList<string>> RetainedWindowAsync(AppHostDashboard dashboard, CancellationToken ct)
    {
        using var client = dashboard.CreateClient(Timeout.InfiniteTimeSpan);
        using var response = await client.GetAsync($"/api/resources/litellm/logs?tail={Retained}", HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var lines = new List<string>();
        string? eventName = null;
        while (lines.Count < Retained && await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (eventName == "lines" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var batch = JsonDocument.Parse(line["data: ".Length..]);
                lines.AddRange(batch.RootElement.EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
            }
        }

        return lines;
    }

    private static (long Rss, long Peak) Memory(int pid)
    {
        long Read(string key) => long.Parse(
            File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) * 1024;
        return (Read("VmRSS"), Read("VmHWM"));
    }
}
