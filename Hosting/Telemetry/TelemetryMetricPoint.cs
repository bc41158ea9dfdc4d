namespace StackModel.Hosting.Telemetry;

/// <summary>
/// One data point of an instrument: <see cref="Value"/> for counters (the cumulative value), up-down counters and gauges;
/// <see cref="Count"/>, <see cref="Sum"/>, <see cref="Bounds"/> and <see cref="BucketCounts"/> for histograms.
/// </summary>
internal sealed record TelemetryMetricPoint(
    DateTime Time,
    IReadOnlyDictionary<string, string> Attributes,
    double? Value,
    ulong? Count,
    double? Sum,
    IReadOnlyList<double>? Bounds,
    IReadOnlyList<ulong>? BucketCounts);
