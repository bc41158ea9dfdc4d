using System.Text.Json;
using StackModel.Dashboard.Tests.Infrastructure;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Orchestration;
using Xunit.Abstractions;

namespace StackModel.Dashboard.Tests;

public class DashboardLogStreamTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_flood_of_log_lines_reaches_the_page_in_bounded_batches_and_the_kept_log_stays_bounded()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var client = stack.SignedInClient();
        const int Lines = 20_000;
        using var response = await client.GetAsync("/api/resources/sleeper/logs?tail=10", HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        var started = DateTime.UtcNow;
        var writer = Task.Run(
            () =>
            {
                for (var i = 1; i <= Lines; i++)
                {
                    stack.App.ResourceLogs.Write(SleeperStack.Sleeper, $"flood line {i}");
                }
            },
            ct);

        var events = 0;
        var received = 0;
        var largest = 0;
        var last = string.Empty;
        string? eventName = null;
        while (last != $"flood line {Lines}")
        {
            var line = await reader.ReadLineAsync(ct) ?? throw new InvalidOperationException("The log stream ended early.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "lines")
            {
                using var batch = JsonDocument.Parse(line["data: ".Length..]);
                var count = batch.RootElement.GetArrayLength();
                events++;
                received += count;
                largest = Math.Max(largest, count);
                if (count > 0)
                {
                    last = batch.RootElement[count - 1].GetProperty("text").GetString()!;
                }
            }
        }

        await writer;
        output.WriteLine($"{Lines} lines written; the stream sent {received} of them in {events} events (largest {largest}) in {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms; older lines beyond its buffer were dropped, not queued.");
        Assert.InRange(largest, 1, DashboardApi.MaxLinesPerEvent);
        Assert.True(events < received, $"Lines should be batched: {events} events for {received} lines.");
        Assert.Equal(ResourceLoggerService.Capacity, stack.App.ResourceLogs.GetLines(SleeperStack.Sleeper).Count);
    }
}
