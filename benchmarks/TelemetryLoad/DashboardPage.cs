using System.Diagnostics;

namespace StackModel.Benchmarks.TelemetryLoad;

/// <summary>What an open Traces page does: follows <c>/api/telemetry/stream</c> and re-fetches the trace list and the summary on every change.</summary>
internal sealed class DashboardPage(AppHostUnderLoad apphost) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _events;
    private long _fetches;
    private double _slowestMs;

    public long Events => Interlocked.Read(ref _events);

    public long Fetches => Interlocked.Read(ref _fetches);

    public double SlowestMs => _slowestMs;

    public async Task FollowAsync()
    {
        try
        {
            using var stream = await apphost.Client.GetAsync("/api/telemetry/stream", HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(_stop.Token));
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line != "event: traces")
                {
                    continue;
                }

                Interlocked.Increment(ref _events);
                var watch = Stopwatch.StartNew();
                await apphost.Client.GetStringAsync("/api/telemetry/traces?limit=200", _stop.Token);
                await apphost.Client.GetStringAsync("/api/telemetry/summary", _stop.Token);
                _slowestMs = Math.Max(_slowestMs, watch.Elapsed.TotalMilliseconds);
                Interlocked.Add(ref _fetches, 2);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async Task StopAsync(Task following)
    {
        await _stop.CancelAsync();
        await following;
    }

    public void Dispose() => _stop.Dispose();
}
