using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace StackModel.Hosting.Dashboard;

/// <summary>Declares the web dashboard served by the AppHost process.</summary>
public static class DashboardBuilderExtensions
{
    /// <summary>
    /// Serves the stack's dashboard on <c>http://127.0.0.1:<paramref name="port"/></c> while the stack runs: resources, states, waits,
    /// addresses, environment (masked), live console logs, stop/start/restart and the dependency graph. The console prints a login URL
    /// with a one-time token; every request without the token's cookie is refused.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="port">The default port; <c>Dashboard:Port</c> moves it, <c>Dashboard:Enabled=false</c> turns the dashboard off.</param>
    /// <param name="otlpPort">
    /// The default port of the OTLP/HTTP receiver on 127.0.0.1 (Aspire's is 18890), whose logs, traces and metrics the dashboard
    /// shows; <c>Dashboard:OtlpPort</c> moves it. Every project, executable and container of the stack gets the endpoint and its
    /// key in <c>OTEL_EXPORTER_OTLP_*</c>. <see langword="null"/>: no receiver, nothing injected.
    /// </param>
    /// <remarks>When the port is taken the stack runs without the dashboard and the console says so.</remarks>
    public static IDistributedApplicationBuilder AddDashboard(this IDistributedApplicationBuilder builder, int port, int? otlpPort = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "The dashboard port must be from 1 to 65535 (or 0 for a free one).");
        }

        if (otlpPort is < 0 or > 65535 || (otlpPort is > 0 && otlpPort == port))
        {
            throw new ArgumentOutOfRangeException(nameof(otlpPort), otlpPort, $"The OTLP port must be from 1 to 65535 (or 0 for a free one) and differ from the dashboard's ({port}).");
        }

        builder.Services.RemoveAll<DashboardDeclaration>();
        builder.Services.AddSingleton(new DashboardDeclaration(port, otlpPort));
        return builder;
    }
}
