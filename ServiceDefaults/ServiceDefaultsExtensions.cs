using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace StackModel.ServiceDefaults;

/// <summary>
/// Adds what every StackModel service shares: OpenTelemetry, default health checks, service discovery
/// and resilient <see cref="HttpClient"/>s. Shaped like .NET Aspire's ServiceDefaults template.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// The configuration key (normally an environment variable) whose presence turns on the OTLP exporter.
    /// </summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Adds OpenTelemetry (logs, metrics, traces), the default health checks, service discovery and the
    /// standard resilience handler on every <see cref="HttpClient"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The kind of host application builder.</typeparam>
    /// <param name="builder">The host application builder of the service.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>
    /// Telemetry is exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the AppHost sets
    /// it when a collector or dashboard runs); otherwise it is collected in-process and not sent anywhere.
    /// </remarks>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// Adds OpenTelemetry logging, metrics (runtime, <see cref="HttpClient"/>, Npgsql and the application's own
    /// <c>Meter</c>) and tracing (<see cref="HttpClient"/>, Npgsql and the application's own <c>ActivitySource</c>; both
    /// named like the application, i.e. its entry assembly), and the OTLP
    /// exporter when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    /// <typeparam name="TBuilder">The kind of host application builder.</typeparam>
    /// <param name="builder">The host application builder of the service.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(builder.Environment.ApplicationName)
                .AddRuntimeInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddHttpClientInstrumentation()
                .AddNpgsql());

        if (IsOtlpExporterEnabled(builder))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();

            // The exporter's own HttpClient, not one from IHttpClientFactory (its default when one is registered): the
            // defaults above would put the standard resilience handler on every export, which logs a line per export (sent
            // as telemetry in turn), and a short-lived process lost the last batch of logs at exit (the migration runner's
            // final error line, about one run in three).
            builder.Services.ConfigureAll<OtlpExporterOptions>(options =>
                options.HttpClientFactory = () => new HttpClient { Timeout = TimeSpan.FromMilliseconds(options.TimeoutMilliseconds) });

            // Hosted services stop in reverse order of registration: registered first, this one flushes after the workers stopped.
            builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryFlushOnStop>());
        }

        return builder;
    }

    /// <summary>
    /// Adds the default health checks: a <c>self</c> check tagged <c>live</c> that is healthy while the
    /// process answers.
    /// </summary>
    /// <typeparam name="TBuilder">The kind of host application builder.</typeparam>
    /// <param name="builder">The host application builder of the service.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddHealthChecks()
            .AddCheck(
                DefaultHealthEndpoints.SelfCheckName,
                () => HealthCheckResult.Healthy(),
                [DefaultHealthEndpoints.LiveTag]);

        return builder;
    }

    internal static bool IsOtlpExporterEnabled(IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
}
