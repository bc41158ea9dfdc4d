namespace StackModel.Hosting.Telemetry;

/// <summary>What the store holds for one resource, and how much it dropped to stay within its caps.</summary>
internal sealed record TelemetryResourceSummary(
    string Resource,
    int Logs,
    int Spans,
    int MetricPoints,
    long DroppedLogs,
    long DroppedSpans,
    long DroppedMetricPoints);
