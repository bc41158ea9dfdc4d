namespace StackModel.Hosting.Telemetry;

/// <summary>A time-stamped event inside a span (an exception, a retry).</summary>
internal sealed record TelemetrySpanEvent(string Name, DateTime Time, IReadOnlyDictionary<string, string> Attributes);
