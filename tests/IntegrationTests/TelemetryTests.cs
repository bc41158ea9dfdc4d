using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using StackModel.Hosting;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// The real AppHost definition with its dashboard on: the migration runner (ServiceDefaults' OpenTelemetry, exporting over OTLP to
/// what the AppHost injected) sends its logs, Npgsql's spans and its metrics to the AppHost's receiver, and the dashboard's API
/// serves them (the contract in TELEMETRY-API.md).
/// </summary>
public sealed class TelemetryTests
{
    [RequiresPostgresFact]
    public async Task The_migration_runners_logs_spans_and_metrics_arrive_and_are_served_by_the_dashboard_api()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct, "--Dashboard:Enabled=true");
        var first = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        Assert.Equal(0, first.ExitCode);
        var dashboard = app.Dashboard;
        Assert.NotNull(dashboard?.BaseUrl);
        Assert.True(dashboard.Otlp?.IsRunning, dashboard.Otlp?.OffReason ?? "no OTLP receiver");
        using var http = new HttpClient { BaseAddress = dashboard.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", dashboard.Token.Value);

        // The runner flushes its exporters when it exits: its records are there once it finished (polled, bounded by the timeout).
        var verified = await PollAsync(http, "/api/telemetry/logs?resource=migrations&text=Target%20verified", d => d.GetProperty("items").GetArrayLength() > 0, ct);
        var log = verified.GetProperty("items")[0];
        Assert.Equal("migrations", log.GetProperty("resource").GetString());
        Assert.Equal("Information", log.GetProperty("level").GetString());
        Assert.StartsWith("Target verified: database app_dev on server port ", log.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Target verified: database {Database} on server port {ServerPort}", log.GetProperty("template").GetString());
        Assert.Equal("app_dev", log.GetProperty("attributes").GetProperty("Database").GetString());
        Assert.StartsWith("migrations-", log.GetProperty("instanceId").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", log.GetProperty("time").GetString(), StringComparison.Ordinal);

        // Npgsql's own spans, from the runner's queries.
        var traces = await PollAsync(http, "/api/telemetry/traces?resource=migrations", d => d.GetProperty("items").GetArrayLength() > 0, ct);
        var traceId = traces.GetProperty("items").EnumerateArray().First(t => t.GetProperty("rootResource").GetString() == "migrations").GetProperty("traceId").GetString();
        var trace = await GetJsonAsync(http, $"/api/telemetry/traces/{traceId}", ct);
        var spans = trace.GetProperty("spans").EnumerateArray().ToArray();
        Assert.NotEmpty(spans);
        Assert.Contains(spans, s => s.GetProperty("scope").GetString() == "Npgsql" && s.GetProperty("resource").GetString() == "migrations");
        Assert.All(spans, s => Assert.True(s.GetProperty("durationMs").GetDouble() >= 0));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/telemetry/traces/0123456789abcdef0123456789abcdef", ct)).StatusCode);

        var metrics = await PollAsync(http, "/api/telemetry/metrics?resource=migrations", d => d.GetProperty("items").GetArrayLength() > 0, ct);
        var instrument = metrics.GetProperty("items")[0];
        var metric = await GetJsonAsync(
            http,
            $"/api/telemetry/metric?resource=migrations&meter={Uri.EscapeDataString(instrument.GetProperty("meter").GetString()!)}&name={Uri.EscapeDataString(instrument.GetProperty("name").GetString()!)}",
            ct);
        Assert.NotEmpty(metric.GetProperty("points").EnumerateArray());

        var summary = await GetJsonAsync(http, "/api/telemetry/summary", ct);
        var runner = summary.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("resource").GetString() == "migrations");
        Assert.True(runner.GetProperty("logs").GetInt32() > 0 && runner.GetProperty("spans").GetInt32() > 0 && runner.GetProperty("metricPoints").GetInt32() > 0);
        Assert.Equal(0, runner.GetProperty("droppedLogs").GetInt64());
        Assert.Equal(10_000, summary.GetProperty("caps").GetProperty("logsPerResource").GetInt32());

        // Run it again while the page's change stream is open: the stream says so, and the second process is a new instance.
        var lastSeq = (await GetJsonAsync(http, "/api/telemetry/logs?resource=migrations&limit=1", ct)).GetProperty("lastSeq").GetInt64();
        using var stream = await http.GetAsync("/api/telemetry/stream", HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(ct));
        await app.Orchestrator.StartResourceAsync("migrations", ct);
        string? line;
        while ((line = await reader.ReadLineAsync(ct)) is not null && line != "event: logs")
        {
        }

        Assert.Equal("event: logs", line);
        var again = await PollAsync(http, $"/api/telemetry/logs?resource=migrations&afterSeq={lastSeq}", d => d.GetProperty("items").GetArrayLength() > 0, ct);
        Assert.NotEqual(log.GetProperty("instanceId").GetString(), again.GetProperty("items")[0].GetProperty("instanceId").GetString());

        using var anonymous = new HttpClient { BaseAddress = dashboard.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/telemetry/summary", ct)).StatusCode);
    }

    [RequiresPostgresFact]
    public async Task With_the_dashboard_off_nothing_is_received_and_no_variable_is_injected()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct);
        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        Assert.Equal(0, runner.ExitCode);
        Assert.Null(app.Dashboard);
        var environment = await EnvironmentRenderer.RenderEnvironmentAsync(app.Model["migrations"], Hosting.ApplicationModel.NetworkContext.Host, ct);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("OTEL_EXPORTER_OTLP", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, string path, Func<JsonElement, bool> done, CancellationToken ct)
    {
        JsonElement? last = null;
        try
        {
            while (true)
            {
                var document = await GetJsonAsync(http, path, ct);
                if (done(document))
                {
                    return document;
                }

                last = document;
                await Task.Delay(200, ct);
            }
        }
        catch (OperationCanceledException)
        {
            using var summary = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Fail($"GET {path} never answered what the test waits for; last answer: {last}. Summary: {await http.GetStringAsync("/api/telemetry/summary", summary.Token)} Logs: {await http.GetStringAsync("/api/telemetry/logs", summary.Token)}");
            throw;
        }
    }
}
