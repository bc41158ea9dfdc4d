namespace StackModel.Hosting.Telemetry;

/// <summary>One trace in the list: its root span, the resources whose spans it holds, its extent and its errors.</summary>
internal sealed record TelemetryTraceSummary(
    string TraceId,
    string RootName,
    string RootResource,
    IReadOnlyList<string> Resources,
    DateTime Start,
    double DurationMs,
    int SpanCount,
    int ErrorCount);
