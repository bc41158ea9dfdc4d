namespace StackModel.Hosting.Telemetry;

/// <summary>An instrument one resource reports (meter + name), with its kept points, oldest first. Guarded by the store's lock.</summary>
internal sealed class TelemetryInstrument(string resource, string meter, string name)
{
    public string Resource { get; } = resource;

    public string Meter { get; } = meter;

    public string Name { get; } = name;

    public string Description { get; set; } = string.Empty;

    public string Unit { get; set; } = string.Empty;

    /// <summary>Gets or sets <c>counter</c>, <c>updowncounter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; set; } = "gauge";

    public Queue<TelemetryMetricPoint> Points { get; } = new();

    /// <summary>Gets the running totals of a counter sent with delta temporality, per attribute set, so that its points are cumulative.</summary>
    public Dictionary<string, double> DeltaTotals { get; } = new(StringComparer.Ordinal);
}
