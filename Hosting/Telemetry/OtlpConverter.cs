using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using StackModel.Hosting.Telemetry.Otlp.Collector;
using StackModel.Hosting.Telemetry.Otlp.Common;
using StackModel.Hosting.Telemetry.Otlp.Metrics;
using StackModel.Hosting.Telemetry.Otlp.Trace;
using OtlpResource = StackModel.Hosting.Telemetry.Otlp.Resource.Resource;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// Turns parsed OTLP requests into the store's entries: the resource is <c>service.name</c> (the AppHost sets it to the resource's
/// name), the instance <c>service.instance.id</c>; attribute values become strings (arrays and maps as JSON text).
/// An item that cannot be read (a trace id that is not 16 bytes) is rejected and counted, the rest of the request is kept.
/// </summary>
internal static class OtlpConverter
{
    /// <summary>The resource name of telemetry that names no service.</summary>
    public const string UnknownService = "unknown_service";

    private const string OriginalFormat = "{OriginalFormat}";

    public static (List<TelemetryLogEntry> Entries, int Rejected) Convert(ExportLogsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entries = new List<TelemetryLogEntry>();
        var rejected = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var (service, instance) = Identify(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var category = NullIfEmpty(scopeLogs.Scope?.Name);
                foreach (var record in scopeLogs.LogRecords)
                {
                    var traceId = Id(record.TraceId, 16);
                    var spanId = Id(record.SpanId, 8);
                    if (traceId == Invalid || spanId == Invalid)
                    {
                        rejected++;
                        continue;
                    }

                    var attributes = Attributes(record.Attributes);
                    attributes.Remove(OriginalFormat, out var template);
                    if (!string.IsNullOrEmpty(record.EventName))
                    {
                        attributes.TryAdd("event.name", record.EventName);
                    }

                    var body = record.Body is null ? null : Render(record.Body);
                    if (template is null && body is not null && body.Contains('{', StringComparison.Ordinal) && attributes.Count > 0)
                    {
                        template = body; // no formatted message: the body is the template
                    }

                    var message = body is null || body == template ? Format(template ?? string.Empty, attributes) : body;
                    var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
                    entries.Add(new TelemetryLogEntry(
                        0, Time(time), service, instance, TelemetryLevels.FromSeverity(record.SeverityNumber, record.SeverityText), message, template, category, attributes, traceId, spanId));
                }
            }
        }

        return (entries, rejected);
    }

    public static (List<TelemetrySpan> Spans, int Rejected) Convert(ExportTraceServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spans = new List<TelemetrySpan>();
        var rejected = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var (service, instance) = Identify(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = NullIfEmpty(scopeSpans.Scope?.Name);
                foreach (var span in scopeSpans.Spans)
                {
                    var traceId = Id(span.TraceId, 16);
                    var spanId = Id(span.SpanId, 8);
                    var parent = Id(span.ParentSpanId, 8);
                    if (traceId is null || traceId == Invalid || spanId is null || spanId == Invalid || parent == Invalid)
                    {
                        rejected++;
                        continue;
                    }

                    var status = span.Status?.Code switch
                    {
                        Status.Types.StatusCode.Ok => "Ok",
                        Status.Types.StatusCode.Error => "Error",
                        _ => "Unset",
                    };
                    var events = span.Events.Select(e => new TelemetrySpanEvent(e.Name, Time(e.TimeUnixNano), Attributes(e.Attributes))).ToArray();
                    spans.Add(new TelemetrySpan(
                        traceId, spanId, parent, span.Name, service, instance, Kind(span.Kind), Time(span.StartTimeUnixNano), Time(span.EndTimeUnixNano),
                        status, NullIfEmpty(span.Status?.Message), scope, Attributes(span.Attributes), events));
                }
            }
        }

        return (spans, rejected);
    }

    public static (List<TelemetryMetricSample> Samples, int Rejected) Convert(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var samples = new List<TelemetryMetricSample>();
        var rejected = 0;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var (service, _) = Identify(resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var meter = scopeMetrics.Scope?.Name ?? string.Empty;
                foreach (var metric in scopeMetrics.Metrics)
                {
                    void Add(string type, bool isDelta, TelemetryMetricPoint point) =>
                        samples.Add(new TelemetryMetricSample(service, meter, metric.Name, metric.Description, metric.Unit, type, isDelta, point));

                    switch (metric.DataCase)
                    {
                        case Metric.DataOneofCase.Gauge:
                            foreach (var p in metric.Gauge.DataPoints)
                            {
                                Add("gauge", false, Number(p));
                            }

                            break;
                        case Metric.DataOneofCase.Sum:
                            var type = metric.Sum.IsMonotonic ? "counter" : "updowncounter";
                            var delta = metric.Sum.AggregationTemporality == AggregationTemporality.Delta;
                            foreach (var p in metric.Sum.DataPoints)
                            {
                                Add(type, delta, Number(p));
                            }

                            break;
                        case Metric.DataOneofCase.Histogram:
                            foreach (var p in metric.Histogram.DataPoints)
                            {
                                Add("histogram", false, new TelemetryMetricPoint(
                                    Time(p.TimeUnixNano), Attributes(p.Attributes), null, p.Count, p.HasSum ? p.Sum : null, p.ExplicitBounds.ToArray(), p.BucketCounts.ToArray()));
                            }

                            break;
                        default:
                            rejected++; // exponential histograms and summaries are not shown
                            break;
                    }
                }
            }
        }

        return (samples, rejected);
    }

    /// <summary>Renders an attribute value as the API shows it: strings as they are, arrays and maps as JSON text.</summary>
    public static string Render(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => System.Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => Json(value),
        _ => string.Empty,
    };

    private static string Json(AnyValue value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJson(writer, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteJson(Utf8JsonWriter writer, AnyValue value)
    {
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var kv in value.KvlistValue.Values)
                {
                    writer.WritePropertyName(kv.Key);
                    WriteJson(writer, kv.Value ?? new AnyValue());
                }

                writer.WriteEndObject();
                break;
            case AnyValue.ValueOneofCase.None:
                writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(Render(value));
                break;
        }
    }

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in attributes)
        {
            result[kv.Key] = kv.Value is null ? string.Empty : Render(kv.Value);
        }

        return result;
    }

    private static (string Service, string? Instance) Identify(OtlpResource? resource)
    {
        string? service = null, instance = null;
        foreach (var kv in resource?.Attributes ?? [])
        {
            if (kv.Key == "service.name")
            {
                service = kv.Value?.StringValue;
            }
            else if (kv.Key == "service.instance.id")
            {
                instance = kv.Value is null ? null : Render(kv.Value);
            }
        }

        return (string.IsNullOrWhiteSpace(service) ? UnknownService : service, NullIfEmpty(instance));
    }

    private static TelemetryMetricPoint Number(NumberDataPoint p) => new(
        Time(p.TimeUnixNano),
        Attributes(p.Attributes),
        p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble,
        null,
        null,
        null,
        null);

    private static string Kind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Internal",
    };

    /// <summary>Marks an id of the wrong length.</summary>
    private const string Invalid = "!";

    /// <summary>Lower-case hex of an id; <see langword="null"/> when absent or all zeroes; <see cref="Invalid"/> when of another length.</summary>
    private static string? Id(ByteString bytes, int length)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        if (bytes.Length != length)
        {
            return Invalid;
        }

        var span = bytes.Span;
        return span.IndexOfAnyExcept((byte)0) < 0 ? null : System.Convert.ToHexStringLower(span);
    }

    private static DateTime Time(ulong unixNano) =>
        unixNano == 0 ? DateTime.UtcNow : DateTime.UnixEpoch.AddTicks((long)Math.Min(unixNano / 100, (ulong)(DateTime.MaxValue - DateTime.UnixEpoch).Ticks));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Fills a message template's <c>{Name}</c> holes from the attributes (for a record sent without its formatted message).</summary>
    private static string Format(string template, IReadOnlyDictionary<string, string> attributes)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var builder = new StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }

            builder.Append(template, i, open - i);
            var hole = template[(open + 1)..close];
            var name = hole.Split(':', ',')[0].TrimStart('@', '$');
            builder.Append(attributes.TryGetValue(name, out var value) ? value : template[open..(close + 1)]);
            i = close + 1;
        }

        return builder.ToString();
    }
}
