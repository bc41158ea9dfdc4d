using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace StackModel.Benchmarks.TelemetryLoad;

/// <summary>Request bodies made by the OpenTelemetry .NET OTLP exporter (http/protobuf), captured instead of sent.</summary>
internal static partial class Payloads
{
    public static IReadOnlyList<Payload> Spans(string service, int batches, int tracesPerBatch, int spansPerTrace)
    {
        var capture = new Capture();
        using var source = new ActivitySource("Load.Spans");
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(service))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                Configure(o, capture);
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { MaxExportBatchSize = 100_000, MaxQueueSize = 100_000, ScheduledDelayMilliseconds = 3_600_000 };
            })
            .Build()!;
        var result = new List<Payload>();
        for (var b = 0; b < batches; b++)
        {
            for (var t = 0; t < tracesPerBatch; t++)
            {
                using var root = source.StartActivity("GET /orders/{id}", ActivityKind.Server)!;
                root.SetTag("http.request.method", "GET");
                root.SetTag("url.path", $"/orders/{t}");
                for (var s = 1; s < spansPerTrace; s++)
                {
                    using var child = source.StartActivity("SELECT app_dev.orders", ActivityKind.Client)!;
                    child.SetTag("db.system.name", "postgresql");
                    child.SetTag("db.query.text", "SELECT id, total FROM orders WHERE id = $1");
                }
            }

            provider.ForceFlush();
            result.Add(new Payload(capture.Take(), tracesPerBatch * spansPerTrace));
        }

        return result;
    }

    public static IReadOnlyList<Payload> Logs(string service, int batches, int recordsPerBatch)
    {
        var capture = new Capture();
        using (var loggers = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.SetResourceBuilder(Resource(service));
            o.AddOtlpExporter((e, processor) =>
            {
                Configure(e, capture);
                processor.ExportProcessorType = ExportProcessorType.Batch;
                processor.BatchExportProcessorOptions = new BatchExportLogRecordProcessorOptions { MaxExportBatchSize = 100_000, MaxQueueSize = 100_000, ScheduledDelayMilliseconds = 3_600_000 };
            });
        })))
        {
            var logger = loggers.CreateLogger("Load.Orders");
            for (var i = 0; i < recordsPerBatch; i++)
            {
                LogShipped(logger, i, "Oslo", 129.5m);
            }
        }

        var body = capture.Take();
        return Enumerable.Repeat(new Payload(body, recordsPerBatch), batches).ToArray();
    }

    public static IReadOnlyList<Payload> Metrics(string service, int exports, int instruments, int seriesPerInstrument)
    {
        var capture = new Capture();
        byte[] body;
        using var meter = new Meter("Load.Metrics");
        var counters = Enumerable.Range(0, instruments).Select(i => meter.CreateCounter<long>($"load.counter.{i}", "{item}")).ToArray();
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(service))
            .AddMeter(meter.Name)
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o, capture);
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
            })
            .Build()!)
        {
            foreach (var counter in counters)
            {
                for (var s = 0; s < seriesPerInstrument; s++)
                {
                    counter.Add(s + 1, new KeyValuePair<string, object?>("series", s));
                }
            }

            provider.ForceFlush();
            body = capture.Take(); // before the provider's last export on dispose
        }

        return Enumerable.Repeat(new Payload(body, instruments * seriesPerInstrument), exports).ToArray();
    }

    private static ResourceBuilder Resource(string service) =>
        ResourceBuilder.CreateEmpty().AddService(service, serviceInstanceId: $"{service}-1", autoGenerateServiceInstanceId: false);

    private static void Configure(OtlpExporterOptions options, Capture capture)
    {
        options.Endpoint = new Uri("http://127.0.0.1:9/captured"); // never reached
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.HttpClientFactory = () => new HttpClient(capture, disposeHandler: false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Order {OrderId} shipped to {City}, total {Total}")]
    private static partial void LogShipped(ILogger logger, int orderId, string city, decimal total);

    /// <summary>Keeps the request bodies instead of sending them (the exporter sends synchronously).</summary>
    private sealed class Capture : HttpMessageHandler
    {
        private readonly List<byte[]> _bodies = [];

        /// <summary>Returns what was captured as one body: concatenated protobuf messages of one type are one message (their lists joined).</summary>
        public byte[] Take()
        {
            lock (_bodies)
            {
                if (_bodies.Count == 0)
                {
                    throw new InvalidOperationException("The exporter sent nothing.");
                }

                var body = _bodies.SelectMany(b => b).ToArray();
                _bodies.Clear();
                return body;
            }
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content!.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult();
            lock (_bodies)
            {
                _bodies.Add(body);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}
