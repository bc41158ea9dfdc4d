namespace StackModel.Hosting.Telemetry;

/// <summary>One structured log record received over OTLP, as the dashboard shows it.</summary>
internal sealed record TelemetryLogEntry(
    long Seq,
    DateTime Time,
    string Resource,
    string? InstanceId,
    string Level,
    string Message,
    string? Template,
    string? Category,
    IReadOnlyDictionary<string, string> Attributes,
    string? TraceId,
    string? SpanId);
