using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry .NET SDK's own OTLP exporter (http/protobuf), pointed at a receiver started on a free port of 127.0.0.1.
/// Every request body it sends is also kept (<see cref="Bodies"/>), with the status the receiver answered, so that tests can
/// replay real payloads.
/// </summary>
internal sealed class RealExporter : IAsyncDisposable
{
    private RealExporter(OtlpReceiver receiver) => Receiver = receiver;

    public OtlpReceiver Receiver { get; }

    public TelemetryStore Store => Receiver.Store;

    public ConcurrentQueue<(string Path, byte[] Body, int Status)> Bodies { get; } = new();

    public static async Task<RealExporter> StartAsync(TelemetryOptions? options = null)
    {
        var store = new TelemetryStore(options ?? new TelemetryOptions());
        var receiver = await OtlpReceiver.StartAsync(0, store, NullLoggerFactory.Instance);
        Assert.True(receiver.IsRunning, receiver.OffReason);
        return new RealExporter(receiver);
    }

    public TracerProvider Traces(string service, string instance, params string[] sources) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(service, instance))
            .AddSource(sources)
            .AddOtlpExporter(o => Configure(o, "/v1/traces"))
            .Build()!;

    public ILoggerFactory Logs(string service, string instance) =>
        LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            o.SetResourceBuilder(Resource(service, instance));
            o.AddOtlpExporter(e => Configure(e, "/v1/logs"));
        }));

    public MeterProvider Metrics(string service, string instance, string meter) =>
        Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(service, instance))
            .AddMeter(meter)
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000; // the test flushes
            })
            .Build()!;

    public ValueTask DisposeAsync() => Receiver.DisposeAsync();

    private static ResourceBuilder Resource(string service, string instance) =>
        ResourceBuilder.CreateEmpty().AddService(service, serviceInstanceId: instance, autoGenerateServiceInstanceId: false);

    private void Configure(OtlpExporterOptions options, string path)
    {
        options.Endpoint = new Uri(Receiver.HostEndpoint, path);
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Headers = Receiver.Key.HeadersVariable;
        options.ExportProcessorType = ExportProcessorType.Simple;
        options.HttpClientFactory = () => new HttpClient(new Capture(this, path, new SocketsHttpHandler()));
    }

    private sealed class Capture(RealExporter owner, string path, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        // The exporter sends synchronously (HttpClient.Send) on .NET.
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : request.Content.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult();
            var response = base.Send(request, cancellationToken);
            owner.Bodies.Enqueue((path, body, (int)response.StatusCode));
            return response;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            owner.Bodies.Enqueue((path, body, (int)response.StatusCode));
            return response;
        }
    }
}
