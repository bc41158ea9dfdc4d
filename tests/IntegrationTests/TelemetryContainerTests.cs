using System.Net;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// A container on the stack network reaches the AppHost's OTLP receiver (which listens on 127.0.0.1 and, for containers, on the
/// stack network's gateway only) with exactly what the AppHost injected: the endpoint, the key header and its name.
/// </summary>
[Trait("Category", "Container")]
public sealed partial class TelemetryContainerTests(ITestOutputHelper output)
{
    private const string Probe = "otlp-probe";

    // Posts the payload with bash alone (no curl in the image): the endpoint and the key header as injected.
    private const string Script = """
        set -eu
        hostport=${OTEL_EXPORTER_OTLP_ENDPOINT#http://}
        host=${hostport%:*}; port=${hostport##*:}
        header=${OTEL_EXPORTER_OTLP_HEADERS/=/: }
        length=$(stat -c %s /payload/logs.bin)
        echo "endpoint $OTEL_EXPORTER_OTLP_ENDPOINT service $OTEL_SERVICE_NAME"
        for attempt in $(seq 1 50); do
          if exec 3<>"/dev/tcp/$host/$port"; then break; fi
          sleep 0.2
        done
        printf 'POST /v1/logs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-protobuf\r\n%s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$hostport" "$header" "$length" >&3
        cat /payload/logs.bin >&3
        read -r status <&3
        echo "answer: $status"
        case "$status" in *" 200 "*) exit 0;; *) exit 1;; esac
        """;

    [RequiresContainerEngineFact]
    public async Task A_container_on_the_stack_network_sends_a_real_otlp_payload_to_the_receiver_with_the_injected_endpoint_and_key()
    {
        var ct = TestStack.Timeout();
        using var payloadFolder = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(payloadFolder.Path, "logs.bin"), CaptureLogPayload(), ct);

        await using var builder = DistributedApplicationTestingBuilder.Create("--Dashboard:Enabled=true");
        builder.AddDashboard(port: 0, otlpPort: 0);
        builder.AddContainer(Probe, ContainerMachine.PostgresImage.Split(':')[0], "15")
            .WithBindMount(payloadFolder.Path, "/payload", isReadOnly: true)
            .WithArgs("bash", "-c", Script);
        string stackName;
        await using (var app = await builder.BuildAsync(ct))
        {
            stackName = app.Options.Name;
            await app.StartAsync(ct);
            var probe = await app.WaitForResourceAsync(Probe, ResourceState.Finished, ct);
            var lines = app.ResourceLogs.GetLines(Probe).Select(l => l.Text).ToArray();
            output.WriteLine(string.Join('\n', lines));

            Assert.Equal(0, probe.ExitCode);
            var otlp = app.Dashboard!.Otlp!;
            var endpoint = Assert.Single(lines, l => l.StartsWith("endpoint ", StringComparison.Ordinal));
            Assert.DoesNotContain("127.0.0.1", endpoint, StringComparison.Ordinal); // the gateway of the stack network, not loopback
            Assert.Contains($":{otlp.Port} service {Probe}", endpoint, StringComparison.Ordinal);
            var (items, _) = otlp.Store.QueryLogs(Probe, 0, null, null, 0, 10);
            var record = Assert.Single(items);
            Assert.Equal("Probe 7 reached the receiver", record.Message);
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    /// <summary>One log record exported by the OpenTelemetry .NET SDK's OTLP exporter (http/protobuf); its request body, captured.</summary>
    private static byte[] CaptureLogPayload()
    {
        var capture = new CapturingHandler();
        using (var loggers = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(Probe));
            o.AddOtlpExporter(e =>
            {
                e.Endpoint = new Uri("http://127.0.0.1:9/v1/logs"); // never reached: the handler keeps the body
                e.Protocol = OtlpExportProtocol.HttpProtobuf;
                e.ExportProcessorType = OpenTelemetry.ExportProcessorType.Simple;
                e.HttpClientFactory = () => new HttpClient(capture);
            });
        })))
        {
            LogReached(loggers.CreateLogger("Probe"), 7);
        }

        return Assert.Single(capture.Bodies);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Probe {Number} reached the receiver")]
    private static partial void LogReached(ILogger logger, int number);

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public List<byte[]> Bodies { get; } = [];

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content!.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult());
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}
