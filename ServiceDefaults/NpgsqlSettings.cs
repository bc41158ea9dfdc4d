namespace StackModel.ServiceDefaults;

/// <summary>
/// Settings of the PostgreSQL client integration added by
/// <see cref="NpgsqlHostApplicationBuilderExtensions.AddNpgsqlDataSource"/>.
/// </summary>
public sealed class NpgsqlSettings
{
    /// <summary>
    /// The Npgsql connection string. Bound from <c>ConnectionStrings:&lt;connectionName&gt;</c>; a
    /// configure callback may replace it.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Whether to skip the database health check. Defaults to <see langword="false"/>.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>
    /// Whether to skip subscribing OpenTelemetry tracing to Npgsql's <c>Npgsql</c> activity source.
    /// Defaults to <see langword="false"/>. <c>AddServiceDefaults</c> subscribes to it on its own.
    /// </summary>
    public bool DisableTracing { get; set; }

    /// <summary>Whether to skip Npgsql's OpenTelemetry metrics. Defaults to <see langword="false"/>.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>
    /// How long the health check may take before it reports unhealthy. Defaults to
    /// <see langword="null"/>: the health check service's own timeout applies.
    /// </summary>
    public TimeSpan? HealthCheckTimeout { get; set; }
}
