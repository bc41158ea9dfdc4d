using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Dashboard;

/// <summary>Settings of the web dashboard, bound from the configuration section <c>Dashboard</c>.</summary>
/// <remarks>
/// The port's default is the one declared with <see cref="DashboardBuilderExtensions.AddDashboard"/> in the AppHost; the testing
/// builder turns the dashboard off (a test turns it on with <c>--Dashboard:Enabled=true</c> and gets a free port).
/// </remarks>
public sealed class DashboardOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>Gets or sets a value indicating whether the AppHost serves the dashboard. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the port on 127.0.0.1; 0 picks a free one. Default: the port given to <c>AddDashboard</c>.</summary>
    public int Port { get; set; }

    /// <summary>Gets or sets how many of a resource's newest log lines the log view shows when it opens. Default: 500.</summary>
    public int LogTail { get; set; } = 500;

    /// <summary>
    /// Gets or sets the port of the OTLP/HTTP receiver on 127.0.0.1; 0 picks a free one. Default: the <c>otlpPort</c> given to
    /// <c>AddDashboard</c>; without one there is no receiver.
    /// </summary>
    public int? OtlpPort { get; set; }

    /// <summary>Gets the caps of the telemetry kept per resource (<c>Dashboard:Telemetry:*</c>).</summary>
    public TelemetryOptions Telemetry { get; } = new();
}
