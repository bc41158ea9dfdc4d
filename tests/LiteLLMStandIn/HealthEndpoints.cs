using Microsoft.AspNetCore.Http;

namespace StackModel.LiteLLMStandIn;

/// <summary>LiteLLM's unauthenticated endpoints: <c>/</c>, <c>/health/liveliness</c> and <c>/health/readiness</c>.</summary>
internal static class HealthEndpoints
{
    private const string NeverHealthyBody = "stand-in told never to be healthy (LITELLM_STANDIN_NEVER_HEALTHY=true)";

    public static void Map(WebApplication app, StandInOptions options)
    {
        app.MapGet("/", () => Results.Text(
            "LiteLLM proxy stand-in (StackModel tests). Health: /health/liveliness, /health/readiness\n"));

        app.MapGet("/health/liveliness", () => options.NeverHealthy
            ? Results.Text(NeverHealthyBody, statusCode: StatusCodes.Status503ServiceUnavailable)
            // FastAPI serialises the returned string as JSON: the body is "I'm alive!" with its quotes.
            : Results.Text("\"I'm alive!\"", "application/json"));

        app.MapGet("/health/readiness", async (DatabaseProbe probe, CancellationToken cancellationToken) =>
        {
            if (options.NeverHealthy)
            {
                return Results.Text(NeverHealthyBody, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var connected = await probe.IsConnectedAsync(cancellationToken);
            return Results.Json(new
            {
                status = "healthy",
                db = connected ? "connected" : "Not connected",
                cache = (string?)null,
                litellm_version = "stand-in",
                success_callbacks = Array.Empty<string>(),
                last_updated = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
        });
    }
}
