using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using StackModel.Hosting.Dashboard;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// The dashboard's telemetry endpoints (<c>/api/telemetry/*</c>, behind the dashboard's token like every <c>/api</c> endpoint):
/// the contract is <c>TELEMETRY-API.md</c>'s. JSON in camelCase, times ISO-8601 UTC with fractional seconds, durations in
/// milliseconds, attribute values as strings.
/// </summary>
internal sealed class TelemetryApi(TelemetryStore store, CancellationToken shutdown)
{
    /// <summary>Log records returned when the page asks for no limit.</summary>
    public const int DefaultLogLimit = 500;

    /// <summary>Traces listed when the page asks for no limit.</summary>
    public const int DefaultTraceLimit = 200;

    /// <summary>The stream's pause between two notifications of one kind: at most four a second.</summary>
    public static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(250);

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/telemetry/summary", Summary);
        routes.MapGet("/api/telemetry/logs", Logs);
        routes.MapGet("/api/telemetry/traces", Traces);
        routes.MapGet("/api/telemetry/traces/{traceId}", Trace);
        routes.MapGet("/api/telemetry/metrics", Metrics);
        routes.MapGet("/api/telemetry/metric", Metric);
        routes.MapGet("/api/telemetry/stream", StreamAsync);
    }

    /// <summary>An ISO-8601 UTC time with seven fractional digits.</summary>
    public static string Time(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private IResult Summary() => Json(new
    {
        resources = store.Summary().Select(r => new
        {
            resource = r.Resource,
            logs = r.Logs,
            spans = r.Spans,
            metricPoints = r.MetricPoints,
            droppedLogs = r.DroppedLogs,
            droppedSpans = r.DroppedSpans,
            droppedMetricPoints = r.DroppedMetricPoints,
        }),
        caps = new
        {
            logsPerResource = store.Options.LogsPerResource,
            spansPerResource = store.Options.SpansPerResource,
            metricPointsPerResource = store.Options.MetricPointsPerResource,
        },
    });

    private IResult Logs(string? resource, string? minLevel, string? text, string? traceId, long? afterSeq, int? limit)
    {
        var rank = 0;
        if (!string.IsNullOrEmpty(minLevel))
        {
            if (TelemetryLevels.Parse(minLevel) is not { } parsed)
            {
                return BadRequest($"minLevel '{minLevel}' is not a level; use one of {string.Join(", ", TelemetryLevels.Names)}.");
            }

            rank = parsed;
        }

        if (limit is < 1)
        {
            return BadRequest($"limit {limit} must be at least 1.");
        }

        var (items, lastSeq) = store.QueryLogs(Empty(resource), rank, text, Empty(traceId), afterSeq ?? 0, Math.Min(limit ?? DefaultLogLimit, store.Options.LogsPerResource * 10));
        return Json(new
        {
            items = items.Select(e => new
            {
                seq = e.Seq,
                time = Time(e.Time),
                resource = e.Resource,
                instanceId = e.InstanceId,
                level = e.Level,
                message = e.Message,
                template = e.Template,
                category = e.Category,
                attributes = e.Attributes,
                traceId = e.TraceId,
                spanId = e.SpanId,
            }),
            lastSeq,
        });
    }

    private IResult Traces(string? resource, bool? errorsOnly, int? limit)
    {
        if (limit is < 1)
        {
            return BadRequest($"limit {limit} must be at least 1.");
        }

        return Json(new
        {
            items = store.ListTraces(Empty(resource), errorsOnly ?? false, limit ?? DefaultTraceLimit).Select(t => new
            {
                traceId = t.TraceId,
                rootName = t.RootName,
                rootResource = t.RootResource,
                resources = t.Resources,
                start = Time(t.Start),
                durationMs = t.DurationMs,
                spanCount = t.SpanCount,
                errorCount = t.ErrorCount,
            }),
        });
    }

    private IResult Trace(string traceId)
    {
        if (store.GetTrace(traceId) is not { } spans)
        {
            return Json(new { error = $"No trace '{traceId}' is kept: it was never received, or its spans were dropped (each resource keeps its newest {store.Options.SpansPerResource} spans)." }, StatusCodes.Status404NotFound);
        }

        return Json(new
        {
            traceId = traceId.ToLowerInvariant(),
            spans = spans.Select(s => new
            {
                spanId = s.SpanId,
                parentSpanId = s.ParentSpanId,
                name = s.Name,
                resource = s.Resource,
                kind = s.Kind,
                start = Time(s.Start),
                end = Time(s.End),
                durationMs = s.DurationMs,
                status = s.Status,
                statusMessage = s.StatusMessage,
                scope = s.Scope,
                attributes = s.Attributes,
                events = s.Events.Select(e => new { name = e.Name, time = Time(e.Time), attributes = e.Attributes }),
            }),
        });
    }

    private IResult Metrics(string? resource) => Json(new
    {
        items = store.ListInstruments(Empty(resource)).Select(i => new
        {
            resource = i.Instrument.Resource,
            meter = i.Instrument.Meter,
            name = i.Instrument.Name,
            description = i.Instrument.Description,
            unit = i.Instrument.Unit,
            type = i.Instrument.Type,
            points = i.Points,
        }),
    });

    private IResult Metric(string? resource, string? meter, string? name, string? afterTime)
    {
        if (string.IsNullOrEmpty(resource) || meter is null || string.IsNullOrEmpty(name))
        {
            return BadRequest("resource, meter and name are required (as /api/telemetry/metrics lists them).");
        }

        DateTime? after = null;
        if (!string.IsNullOrEmpty(afterTime))
        {
            if (!DateTime.TryParse(afterTime, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return BadRequest($"afterTime '{afterTime}' is not an ISO-8601 time; pass the time of the newest point you have, e.g. 2026-12-01T17:00:00.0000000Z.");
            }

            after = parsed;
        }

        if (store.GetMetric(resource, meter, name, after) is not { } metric)
        {
            return Json(new { error = $"Resource '{resource}' reports no instrument '{name}' of meter '{meter}'. See /api/telemetry/metrics?resource={resource}." }, StatusCodes.Status404NotFound);
        }

        var histogram = metric.Instrument.Type == "histogram";
        return Json(new
        {
            resource,
            meter,
            name,
            unit = metric.Instrument.Unit,
            type = metric.Instrument.Type,
            points = metric.Points.Select(p => histogram
                ? (object)new { time = Time(p.Time), attributes = p.Attributes, count = p.Count, sum = p.Sum, bounds = p.Bounds, bucketCounts = p.BucketCounts }
                : new { time = Time(p.Time), attributes = p.Attributes, value = p.Value }),
        });
    }

    /// <summary>Server-sent change notifications (<c>logs</c>, <c>traces</c>, <c>metrics</c> with the resource), coalesced per kind and resource.</summary>
    private async Task StreamAsync(HttpContext http)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, shutdown);
        var ct = linked.Token;
        var pending = new ConcurrentDictionary<(TelemetryKind Kind, string Resource), byte>();
        using var signal = new SemaphoreSlim(0, 1);
        void OnChanged(TelemetryKind kind, string resource)
        {
            if (pending.TryAdd((kind, resource), 0))
            {
                try
                {
                    if (signal.CurrentCount == 0)
                    {
                        signal.Release();
                    }
                }
                catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
                {
                    // Already signalled, or the stream ended.
                }
            }
        }

        store.Changed += OnChanged;
        try
        {
            await ServerSentEvents.BeginAsync(http.Response, ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                await signal.WaitAsync(ct).ConfigureAwait(false);
                foreach (var key in pending.Keys.OrderBy(k => k.Kind).ThenBy(k => k.Resource, StringComparer.Ordinal))
                {
                    pending.TryRemove(key, out _);
                    await ServerSentEvents.WriteAsync(http.Response, key.Kind.ToString().ToLowerInvariant(), new { resource = key.Resource }, ct).ConfigureAwait(false);
                }

                await Task.Delay(StreamInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away or the dashboard stops.
        }
        catch (IOException)
        {
            // The connection closed.
        }
        finally
        {
            store.Changed -= OnChanged;
        }
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IResult BadRequest(string message) => Json(new { error = message }, StatusCodes.Status400BadRequest);

    private static IResult Json(object value, int status = StatusCodes.Status200OK) => Results.Json(value, ServerSentEvents.Json, statusCode: status);
}
