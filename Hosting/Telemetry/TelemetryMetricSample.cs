namespace StackModel.Hosting.Telemetry;

/// <summary>
/// A decoded metric point with its instrument's description, before the store files it. <c>IsDelta</c>: the point is a delta of a
/// counter (delta temporality); the store adds it to the running total.
/// </summary>
internal sealed record TelemetryMetricSample(
    string Resource,
    string Meter,
    string Name,
    string Description,
    string Unit,
    string Type,
    bool IsDelta,
    TelemetryMetricPoint Point);
