// How fast the AppHost's OTLP receiver ingests spans while a dashboard page follows them, and the AppHost's memory once every
// resource's telemetry is at its caps. Prints figures; asserts nothing.
//
//   dotnet run -c Release --project benchmarks/TelemetryLoad -- [seconds=10] [senders=4] [resources=4]
//
// It starts the real AppHost (its own build output; LiteLLM off; dashboard and receiver on free ports of 127.0.0.1) in a
// temporary state folder, reads the receiver's endpoint and key from the migration runner's environment through the
// dashboard's API, and replays request bodies captured from the OpenTelemetry .NET OTLP exporter (unique trace ids).
// Bounded: the load stops after the given seconds; everything it started is stopped and removed.
using System.Diagnostics;
using System.Reflection;
using StackModel.Benchmarks.TelemetryLoad;

var seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var senders = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4;
var resources = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4;
var dll = typeof(Payloads).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostAssembly").Value!;

await using var apphost = await AppHostUnderLoad.StartAsync(dll);
Console.WriteLine($"AppHost pid {apphost.Pid}, dashboard {apphost.Dashboard}, OTLP {apphost.OtlpEndpoint}");
Console.WriteLine($"Memory with the stack up, before any load: {apphost.Memory()}");

var spanPayloads = Payloads.Spans("load-0", batches: 40, tracesPerBatch: 100, spansPerTrace: 5);
using var page = new DashboardPage(apphost);
var following = page.FollowAsync();
var run = await Sender.RunAsync(apphost, "/v1/traces", spanPayloads, senders, TimeSpan.FromSeconds(seconds));
var spansPerSecond = run.Items / run.Elapsed.TotalSeconds;
Console.WriteLine($"Spans: {run.Items:N0} accepted in {run.Elapsed.TotalSeconds:0.00} s by {senders} senders of 500-span requests = {spansPerSecond:N0} spans/s ({run.Failed} failed requests)");
Console.WriteLine($"  with a dashboard page following: {page.Events} change events, {page.Fetches} trace-list and summary fetches, slowest fetch {page.SlowestMs:0} ms");
Console.WriteLine($"Memory after the span run: {apphost.Memory()}");
await page.StopAsync(following);

// Fill every cap of every resource: 10,000 logs, 10,000 spans, 50,000 metric points (the defaults) each.
for (var r = 0; r < resources; r++)
{
    var name = $"load-{r}";
    await Sender.SendAllAsync(apphost, "/v1/traces", r == 0 ? [] : Payloads.Spans(name, batches: 22, tracesPerBatch: 100, spansPerTrace: 5));
    await Sender.SendAllAsync(apphost, "/v1/logs", Payloads.Logs(name, batches: 22, recordsPerBatch: 500));
    await Sender.SendAllAsync(apphost, "/v1/metrics", Payloads.Metrics(name, exports: 110, instruments: 100, seriesPerInstrument: 5));
}

var summary = await apphost.SummaryAsync();
Console.WriteLine($"At the caps ({resources} resources): {summary}");
Console.WriteLine($"Memory at the caps: {apphost.Memory()}");
