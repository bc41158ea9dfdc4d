using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace StackModel.ServiceDefaults;

/// <summary>
/// Exports what is still buffered (logs, spans, metrics) when the host stops, while the exporters' HTTP clients still exist: a
/// short-lived process (the migration runner) otherwise loses its last log records, which the batch processors would export
/// only once the service container is being disposed, after the HTTP client factory they send with.
/// </summary>
internal sealed class TelemetryFlushOnStop(IServiceProvider services) : IHostedService
{
    /// <summary>How long the stop waits for each provider's export.</summary>
    public const int FlushTimeoutMilliseconds = 3000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        services.GetService<TracerProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        services.GetService<LoggerProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        services.GetService<MeterProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }
}
