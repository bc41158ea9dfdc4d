namespace StackModel.Hosting.Telemetry;

/// <summary>
/// How much telemetry the AppHost keeps per resource, bound from <c>Dashboard:Telemetry</c>. Each kind is a window of the newest
/// entries: when a resource sends more, its oldest are dropped first and counted (<c>/api/telemetry/summary</c>).
/// </summary>
/// <remarks>The defaults are Aspire dashboard's: 10,000 log records, 10,000 spans, 50,000 metric points per resource.</remarks>
public sealed class TelemetryOptions
{
    /// <summary>Gets or sets how many log records the AppHost keeps per resource. Default: 10,000.</summary>
    public int LogsPerResource { get; set; } = 10_000;

    /// <summary>Gets or sets how many spans the AppHost keeps per resource. Default: 10,000.</summary>
    public int SpansPerResource { get; set; } = 10_000;

    /// <summary>Gets or sets how many metric points the AppHost keeps per resource, over all its instruments. Default: 50,000.</summary>
    public int MetricPointsPerResource { get; set; } = 50_000;

    /// <summary>Gets or sets the largest OTLP request body accepted, in bytes (after decompression); larger ones get 413. Default: 4 MiB.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Throws when a setting is out of range, naming the key and the fix.</summary>
    internal void Validate()
    {
        Check(LogsPerResource, nameof(LogsPerResource));
        Check(SpansPerResource, nameof(SpansPerResource));
        Check(MetricPointsPerResource, nameof(MetricPointsPerResource));
        if (MaxRequestBytes < 1024)
        {
            throw new DistributedApplicationException(
                $"Dashboard:Telemetry:MaxRequestBytes is {MaxRequestBytes}; expected at least 1024. Remove the setting to use the default (4194304).");
        }

        static void Check(int value, string name)
        {
            if (value < 1)
            {
                throw new DistributedApplicationException(
                    $"Dashboard:Telemetry:{name} is {value}; expected a count of at least 1. Remove the setting to use the default.");
            }
        }
    }
}
