using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Tests.Telemetry;

/// <summary>What the AppHost puts into each resource's environment while its OTLP receiver runs (no process is started).</summary>
public sealed class OtlpEnvironmentTests
{
    [Fact]
    public async Task Projects_executables_and_containers_get_the_endpoint_for_where_they_run_the_key_as_a_secret_and_their_name()
    {
        var builder = TestBuilder.Create();
        var postgres = builder.AddPostgres("postgres", port: 15432);
        var tool = builder.AddExecutable("tool", "sh", ".", "-c", "true");
        var proxy = builder.AddContainer("proxy", "example/proxy", "1");
        var own = builder.AddExecutable("own", "sh", ".").WithEnvironment("OTEL_SERVICE_NAME", "custom");
        var model = builder.Build().Model;
        await using var receiver = await OtlpReceiver.StartAsync(0, new TelemetryStore(new TelemetryOptions()), NullLoggerFactory.Instance);
        var gateway = IPAddress.Loopback; // stands in for the stack network's gateway: the receiver can listen there

        new OtlpEnvironment(receiver, _ => Task.FromResult<IPAddress?>(gateway), "stack", NullLogger.Instance).Apply(model);
        new OtlpEnvironment(receiver, _ => Task.FromResult<IPAddress?>(gateway), "stack", NullLogger.Instance).Apply(model); // a second start adds nothing twice

        var host = await EnvironmentRenderer.RenderEnvironmentAsync(tool.Resource, NetworkContext.Host);
        Assert.Equal($"http://127.0.0.1:{receiver.Port}", host["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", host["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal($"x-otlp-api-key={receiver.Key.Value}", host["OTEL_EXPORTER_OTLP_HEADERS"]);
        Assert.Equal("tool", host["OTEL_SERVICE_NAME"]);
        Assert.Matches("^service.instance.id=tool-[0-9a-f]{8}$", host["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal(("1000", "1000", "1000"), (host["OTEL_BLRP_SCHEDULE_DELAY"], host["OTEL_BSP_SCHEDULE_DELAY"], host["OTEL_METRIC_EXPORT_INTERVAL"]));
        var again = await EnvironmentRenderer.RenderEnvironmentAsync(tool.Resource, NetworkContext.Host);
        Assert.NotEqual(host["OTEL_RESOURCE_ATTRIBUTES"], again["OTEL_RESOURCE_ATTRIBUTES"]); // a new instance per start

        var secrets = EnvironmentRenderer.SecretFlags(tool.Resource);
        Assert.True(secrets["OTEL_EXPORTER_OTLP_HEADERS"]);
        Assert.False(secrets["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var container = await EnvironmentRenderer.RenderEnvironmentAsync(proxy.Resource, NetworkContext.ContainerNetwork);
        Assert.Equal($"http://{gateway}:{receiver.Port}", container["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("proxy", container["OTEL_SERVICE_NAME"]);

        Assert.Equal("custom", (await EnvironmentRenderer.RenderEnvironmentAsync(own.Resource, NetworkContext.Host))["OTEL_SERVICE_NAME"]);
        Assert.Empty(postgres.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>());
        Assert.Single(tool.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>());
    }

    [Fact]
    public async Task A_taken_port_turns_telemetry_off_with_the_reason_and_the_fix()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        await using var receiver = await OtlpReceiver.StartAsync(port, new TelemetryStore(new TelemetryOptions()), NullLoggerFactory.Instance);

        Assert.False(receiver.IsRunning);
        Assert.Contains($"127.0.0.1:{port} is not free", receiver.OffReason, StringComparison.Ordinal);
        Assert.Contains("--Dashboard:OtlpPort=<port>", receiver.OffReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_gateway_a_container_gets_no_endpoint_and_nothing_fails()
    {
        var builder = TestBuilder.Create();
        var proxy = builder.AddContainer("proxy", "example/proxy", "1");
        var model = builder.Build().Model;
        await using var receiver = await OtlpReceiver.StartAsync(0, new TelemetryStore(new TelemetryOptions()), NullLoggerFactory.Instance);

        new OtlpEnvironment(receiver, _ => Task.FromResult<IPAddress?>(null), "stack", NullLogger.Instance).Apply(model);

        var container = await EnvironmentRenderer.RenderEnvironmentAsync(proxy.Resource, NetworkContext.ContainerNetwork);
        Assert.Null(container["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("proxy", container["OTEL_SERVICE_NAME"]);
    }
}
