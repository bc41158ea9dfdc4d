namespace StackModel.Hosting.Telemetry;

/// <summary>One span received over OTLP. Ids are lower-case hex; times UTC.</summary>
internal sealed record TelemetrySpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Resource,
    string? InstanceId,
    string Kind,
    DateTime Start,
    DateTime End,
    string Status,
    string? StatusMessage,
    string? Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<TelemetrySpanEvent> Events)
{
    /// <summary>Gets the duration in milliseconds (0 for a span that ends before it starts).</summary>
    public double DurationMs => Math.Max(0, (End - Start).TotalMilliseconds);
}
