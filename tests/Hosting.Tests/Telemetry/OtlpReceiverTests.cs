using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Tests.Telemetry;

/// <summary>
/// The receiver against the OpenTelemetry .NET SDK's own OTLP exporter (http/protobuf): what it decodes from real payloads, and
/// how it refuses requests without the key, of another content type, too large or unreadable, without losing what it holds.
/// </summary>
public sealed partial class OtlpReceiverTests
{
    [Fact]
    public async Task Spans_from_the_real_exporter_are_stored_with_parents_status_events_and_attributes()
    {
        await using var exporter = await RealExporter.StartAsync();
        using var source = new ActivitySource("Orders.Checkout");
        string traceId;
        using (var provider = exporter.Traces("orders", "orders-1", source.Name))
        {
            using (var root = source.StartActivity("checkout", ActivityKind.Server)!)
            {
                traceId = root.TraceId.ToHexString();
                root.SetTag("order.id", 42);
                root.SetTag("order.items", new[] { "apple", "pear" });
                using (var child = source.StartActivity("charge card", ActivityKind.Client)!)
                {
                    child.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = 2 }));
                    child.SetStatus(ActivityStatusCode.Error, "card declined");
                }
            }

            provider.ForceFlush();
        }

        Assert.NotEmpty(exporter.Bodies);
        Assert.All(exporter.Bodies, b => Assert.Equal(200, b.Status));
        var spans = exporter.Store.GetTrace(traceId);
        Assert.NotNull(spans);
        Assert.Equal(2, spans.Count);
        var root2 = Assert.Single(spans, s => s.Name == "checkout");
        var charge = Assert.Single(spans, s => s.Name == "charge card");
        Assert.Null(root2.ParentSpanId);
        Assert.Equal(root2.SpanId, charge.ParentSpanId);
        Assert.Equal("orders", root2.Resource);
        Assert.Equal("orders-1", root2.InstanceId);
        Assert.Equal("Server", root2.Kind);
        Assert.Equal("Client", charge.Kind);
        Assert.Equal("Orders.Checkout", root2.Scope);
        Assert.Equal("42", root2.Attributes["order.id"]);
        Assert.Equal("[\"apple\",\"pear\"]", root2.Attributes["order.items"]);
        Assert.Equal("Error", charge.Status);
        Assert.Equal("card declined", charge.StatusMessage);
        var retry = Assert.Single(charge.Events);
        Assert.Equal("retry", retry.Name);
        Assert.Equal("2", retry.Attributes["attempt"]);
        Assert.True(root2.End >= charge.End && root2.Start <= charge.Start);

        var trace = Assert.Single(exporter.Store.ListTraces(null, errorsOnly: true, 10));
        Assert.Equal(("checkout", "orders", 2, 1), (trace.RootName, trace.RootResource, trace.SpanCount, trace.ErrorCount));
    }

    [Fact]
    public async Task A_trace_whose_spans_come_from_two_processes_is_one_trace()
    {
        await using var exporter = await RealExporter.StartAsync();
        using var frontSource = new ActivitySource("Front");
        using var backSource = new ActivitySource("Back");
        using var front = exporter.Traces("front", "front-1", frontSource.Name);
        using var back = exporter.Traces("back", "back-1", backSource.Name);
        ActivityContext remoteParent;
        using (var request = frontSource.StartActivity("GET /orders", ActivityKind.Client)!)
        {
            remoteParent = request.Context;
        }

        // The other process continues the trace from the propagated context (traceparent), as HttpClient/ASP.NET Core do.
        using (backSource.StartActivity("handle /orders", ActivityKind.Server, remoteParent))
        {
        }

        front.ForceFlush();
        back.ForceFlush();

        var trace = Assert.Single(exporter.Store.ListTraces(null, false, 10));
        Assert.Equal(["back", "front"], trace.Resources);
        Assert.Equal(("GET /orders", "front", 2), (trace.RootName, trace.RootResource, trace.SpanCount));
        Assert.Single(exporter.Store.ListTraces("back", false, 10));
    }

    [Fact]
    public async Task Log_records_keep_message_template_attributes_category_level_and_trace_link()
    {
        await using var exporter = await RealExporter.StartAsync();
        using var source = new ActivitySource("Shipping");
        using var tracing = exporter.Traces("shipping", "shipping-1", source.Name);
        string traceId, spanId;
        using (var loggers = exporter.Logs("shipping", "shipping-1"))
        {
            var logger = loggers.CreateLogger("Shipping.Dispatcher");
            using (var activity = source.StartActivity("dispatch")!)
            {
                traceId = activity.TraceId.ToHexString();
                spanId = activity.SpanId.ToHexString();
                LogShipped(logger, 17, "Oslo");
            }

            LogFailed(logger, "Bergen");
        }

        var (items, lastSeq) = exporter.Store.QueryLogs(null, 0, null, null, 0, 100);
        Assert.Equal(2, items.Count);
        var shipped = items[0];
        Assert.Equal("Order 17 shipped to Oslo", shipped.Message);
        Assert.Equal("Order {OrderId} shipped to {City}", shipped.Template);
        Assert.Equal("17", shipped.Attributes["OrderId"]);
        Assert.Equal("Oslo", shipped.Attributes["City"]);
        Assert.Equal("Shipping.Dispatcher", shipped.Category);
        Assert.Equal("Warning", shipped.Level);
        Assert.Equal(("shipping", "shipping-1"), (shipped.Resource, shipped.InstanceId));
        Assert.Equal((traceId, spanId), (shipped.TraceId, shipped.SpanId));
        Assert.Equal("Critical", items[1].Level);
        Assert.Null(items[1].TraceId);
        Assert.Equal(items[1].Seq, lastSeq);

        Assert.Single(exporter.Store.QueryLogs(null, TelemetryLevels.Parse("Error")!.Value, null, null, 0, 100).Items);
        Assert.Single(exporter.Store.QueryLogs(null, 0, "oslo", null, 0, 100).Items);
        Assert.Single(exporter.Store.QueryLogs(null, 0, null, traceId, 0, 100).Items);
        Assert.Single(exporter.Store.QueryLogs("shipping", 0, null, null, shipped.Seq, 100).Items);
        Assert.Empty(exporter.Store.QueryLogs("other", 0, null, null, 0, 100).Items);
    }

    [Fact]
    public async Task Counters_histograms_gauges_and_updowncounters_arrive_as_points()
    {
        await using var exporter = await RealExporter.StartAsync();
        using var meter = new Meter("Orders.Metrics");
        var queue = 5;
        var placed = meter.CreateCounter<long>("orders.placed", "{order}", "Orders placed");
        var latency = meter.CreateHistogram<double>("orders.latency", "ms");
        var open = meter.CreateUpDownCounter<int>("orders.open");
        meter.CreateObservableGauge("orders.queue", () => queue);
        using (var provider = exporter.Metrics("orders", "orders-1", meter.Name))
        {
            placed.Add(3, new KeyValuePair<string, object?>("region", "north"));
            placed.Add(4, new KeyValuePair<string, object?>("region", "north"));
            latency.Record(12.5);
            latency.Record(7.5);
            open.Add(2);
            open.Add(-1);
            provider.ForceFlush();
            placed.Add(1, new KeyValuePair<string, object?>("region", "north"));
            queue = 9;
            provider.ForceFlush();
        }

        var instruments = exporter.Store.ListInstruments("orders").ToDictionary(i => i.Instrument.Name);
        Assert.Equal("counter", instruments["orders.placed"].Instrument.Type);
        Assert.Equal("{order}", instruments["orders.placed"].Instrument.Unit);
        Assert.Equal("Orders placed", instruments["orders.placed"].Instrument.Description);
        Assert.Equal("histogram", instruments["orders.latency"].Instrument.Type);
        Assert.Equal("updowncounter", instruments["orders.open"].Instrument.Type);
        Assert.Equal("gauge", instruments["orders.queue"].Instrument.Type);

        var placedPoints = exporter.Store.GetMetric("orders", "Orders.Metrics", "orders.placed", null)!.Value.Points;
        Assert.Equal([7d, 8d], placedPoints.Select(p => p.Value!.Value).Take(2)); // cumulative, as counters are shown
        Assert.Equal("north", placedPoints[0].Attributes["region"]);
        var histogram = exporter.Store.GetMetric("orders", "Orders.Metrics", "orders.latency", null)!.Value.Points[0];
        Assert.Equal((2UL, 20d), (histogram.Count, histogram.Sum));
        Assert.NotEmpty(histogram.Bounds!);
        Assert.Equal(histogram.Bounds!.Count + 1, histogram.BucketCounts!.Count);
        Assert.Equal(1d, exporter.Store.GetMetric("orders", "Orders.Metrics", "orders.open", null)!.Value.Points[0].Value);
        var gauge = exporter.Store.GetMetric("orders", "Orders.Metrics", "orders.queue", null)!.Value.Points;
        Assert.Equal(9d, gauge[^1].Value);
        var afterFirst = gauge[0].Time;
        Assert.All(exporter.Store.GetMetric("orders", "Orders.Metrics", "orders.queue", afterFirst)!.Value.Points, p => Assert.True(p.Time > afterFirst));
    }

    [Fact]
    public async Task Requests_without_the_key_of_another_type_too_large_or_unreadable_are_refused_and_change_nothing()
    {
        await using var exporter = await RealExporter.StartAsync(new TelemetryOptions { MaxRequestBytes = 4096 });
        using var source = new ActivitySource("Refusals");
        using (var provider = exporter.Traces("orders", "orders-1", source.Name))
        {
            using (source.StartActivity("kept"))
            {
            }

            provider.ForceFlush();
        }

        var (_, payload, status) = Assert.Single(exporter.Bodies);
        Assert.Equal(200, status);
        var before = Assert.Single(exporter.Store.Summary());
        using var http = new HttpClient { BaseAddress = exporter.Receiver.HostEndpoint };

        async Task<(HttpStatusCode Status, string Text)> PostAsync(byte[] body, string? key, string contentType = "application/x-protobuf", bool chunked = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/traces");
            HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            request.Content = content;
            if (chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }

            if (key is not null)
            {
                request.Headers.Add(OtlpApiKey.HeaderName, key);
            }

            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var key = exporter.Receiver.Key.Value;
        var noKey = await PostAsync(payload, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.Status);
        Assert.Contains("x-otlp-api-key", noKey.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(payload, key: key[..^1] + (key[^1] == 'a' ? 'b' : 'a'))).Status);
        var json = await PostAsync("{\"resourceSpans\":[]}"u8.ToArray(), key, "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.Status);
        Assert.Contains("http/protobuf", json.Text, StringComparison.Ordinal);

        // Concatenated protobuf messages are one valid, merged message: real bytes, only too many of them.
        var oversized = Enumerable.Repeat(payload, (4096 / payload.Length) + 2).SelectMany(b => b).ToArray();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(oversized, key)).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(oversized, key, chunked: true)).Status);
        var truncated = await PostAsync(payload[..^3], key);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.Status);
        Assert.Contains("Nothing of it was stored", truncated.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync([0xff, 0xff, 0xff, 0xff, 0x0f], key)).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.GetAsync("/v1/traces")).StatusCode);

        Assert.Equal(before, Assert.Single(exporter.Store.Summary()));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(payload, key)).Status); // the receiver still takes real payloads
        Assert.Equal(before.Spans + 1, Assert.Single(exporter.Store.Summary()).Spans);
    }

    [Fact]
    public async Task Each_resource_keeps_its_newest_items_and_counts_what_it_dropped()
    {
        await using var exporter = await RealExporter.StartAsync(new TelemetryOptions { LogsPerResource = 5, SpansPerResource = 4, MetricPointsPerResource = 3 });
        using var source = new ActivitySource("Caps");
        using var meter = new Meter("Caps.Metrics");
        var gaugeValue = 0;
        meter.CreateObservableGauge("caps.value", () => gaugeValue);
        using (var tracing = exporter.Traces("busy", "busy-1", source.Name))
        using (var metrics = exporter.Metrics("busy", "busy-1", meter.Name))
        using (var loggers = exporter.Logs("busy", "busy-1"))
        {
            var logger = loggers.CreateLogger("Caps");
            for (var i = 1; i <= 12; i++)
            {
                using (source.StartActivity($"span {i}"))
                {
                    LogNumber(logger, i);
                }

                gaugeValue = i;
                metrics.ForceFlush();
            }

            tracing.ForceFlush();
        }

        var summary = Assert.Single(exporter.Store.Summary());
        Assert.Equal(("busy", 5, 4, 3), (summary.Resource, summary.Logs, summary.Spans, summary.MetricPoints));
        Assert.Equal((7L, 8L), (summary.DroppedLogs, summary.DroppedSpans));
        Assert.True(summary.DroppedMetricPoints >= 9, $"12 gauge exports (and one more when the provider is disposed) into 3 places dropped {summary.DroppedMetricPoints}.");
        Assert.Equal(["Number 8", "Number 9", "Number 10", "Number 11", "Number 12"], exporter.Store.QueryLogs(null, 0, null, null, 0, 100).Items.Select(e => e.Message));
        Assert.Equal(["span 12", "span 11", "span 10", "span 9"], exporter.Store.ListTraces(null, false, 100).Select(t => t.RootName));
        var kept = exporter.Store.GetMetric("busy", "Caps.Metrics", "caps.value", null)!.Value.Points.Select(p => p.Value!.Value).ToArray();
        Assert.Equal(3, kept.Length);
        Assert.True(kept[0] >= 10 && kept[^1] == 12 && kept.SequenceEqual(kept.Order()), $"Kept {string.Join(", ", kept)}: not the newest points, oldest first.");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Order {OrderId} shipped to {City}")]
    private static partial void LogShipped(ILogger logger, int orderId, string city);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "No truck for {City}")]
    private static partial void LogFailed(ILogger logger, string city);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Number {Number}")]
    private static partial void LogNumber(ILogger logger, int number);
}
