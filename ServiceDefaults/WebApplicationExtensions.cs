using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace StackModel.ServiceDefaults;

/// <summary>
/// Maps the default health endpoints of a StackModel web service.
/// </summary>
public static class WebApplicationExtensions
{
    /// <summary>
    /// Maps <c>/health</c> (every health check must pass) and <c>/alive</c> (only the checks tagged
    /// <c>live</c> must pass).
    /// </summary>
    /// <param name="app">The web application.</param>
    /// <returns>The same application, for chaining.</returns>
    /// <remarks>
    /// Unlike Aspire's template, the endpoints are mapped in every environment: the AppHost's orchestrator
    /// probes them to decide when a resource is healthy, in development and in test stacks alike.
    /// They expose no details, only the aggregate status text.
    /// </remarks>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapHealthChecks(DefaultHealthEndpoints.HealthPath);
        app.MapHealthChecks(DefaultHealthEndpoints.AlivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(DefaultHealthEndpoints.LiveTag),
        });

        return app;
    }
}
