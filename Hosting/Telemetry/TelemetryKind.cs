namespace StackModel.Hosting.Telemetry;

/// <summary>The three OTLP signals; also the event names of <c>/api/telemetry/stream</c>.</summary>
internal enum TelemetryKind
{
    Logs,
    Traces,
    Metrics,
}
