using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace StackModel.ServiceDefaults.Tests;

public sealed class ServiceDefaultsExtensionsTests
{
    private static HostApplicationBuilder CreateBuilder(IDictionary<string, string?>? configuration = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "service-defaults-tests",
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        return builder;
    }

    private static bool HasOtlpExporter(IServiceCollection services) =>
        services.Any(descriptor =>
            (descriptor.ServiceType.Namespace?.StartsWith("OpenTelemetry.Exporter", StringComparison.Ordinal) ?? false)
            || (descriptor.ServiceType.GenericTypeArguments.Any(t => t.Namespace?.StartsWith("OpenTelemetry.Exporter", StringComparison.Ordinal) ?? false))
            || (descriptor.ImplementationType?.Namespace?.StartsWith("OpenTelemetry.Exporter", StringComparison.Ordinal) ?? false));

    [Fact]
    public void AddServiceDefaults_RegistersASelfCheckTaggedLive()
    {
        var builder = CreateBuilder();

        builder.AddServiceDefaults();

        using var host = builder.Build();
        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var self = Assert.Single(registrations, r => r.Name == DefaultHealthEndpoints.SelfCheckName);
        Assert.Contains(DefaultHealthEndpoints.LiveTag, self.Tags);
    }

    [Fact]
    public void AddServiceDefaults_WithoutOtlpEndpoint_AddsNoOtlpExporter()
    {
        var builder = CreateBuilder();

        builder.AddServiceDefaults();

        Assert.False(ServiceDefaultsExtensions.IsOtlpExporterEnabled(builder));
        Assert.False(HasOtlpExporter(builder.Services));
    }

    [Fact]
    public void AddServiceDefaults_WithOtlpEndpoint_AddsTheOtlpExporter()
    {
        // Environment variables reach IConfiguration under the same key; in-memory keeps tests parallel-safe.
        var builder = CreateBuilder(new Dictionary<string, string?>
        {
            [ServiceDefaultsExtensions.OtlpEndpointKey] = "http://127.0.0.1:4317",
        });

        builder.AddServiceDefaults();

        Assert.True(ServiceDefaultsExtensions.IsOtlpExporterEnabled(builder));
        Assert.True(HasOtlpExporter(builder.Services));
    }

    [Fact]
    public async Task AddServiceDefaults_WithOtlpEndpoint_ExportsTracesToIt()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await StartWebAppAsync(app =>
            app.MapPost("/v1/traces", (HttpContext context) =>
            {
                received.TrySetResult(context.Request.ContentType ?? string.Empty);
                return Results.Ok();
            }));

        var builder = CreateBuilder(new Dictionary<string, string?>
        {
            [ServiceDefaultsExtensions.OtlpEndpointKey] = collector.Urls.Single(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        builder.AddServiceDefaults();
        using var host = builder.Build();
        await host.StartAsync();

        using (var source = new ActivitySource(builder.Environment.ApplicationName))
        using (source.StartActivity("exported-span"))
        {
        }

        Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        var contentType = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("application/x-protobuf", contentType);
        await host.StopAsync();
    }

    [Fact]
    public void AddServiceDefaults_PutsTheStandardResilienceHandlerOnEveryHttpClient()
    {
        var builder = CreateBuilder();
        builder.AddServiceDefaults();
        using var host = builder.Build();

        var factory = host.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        foreach (var clientName in new[] { string.Empty, "any-named-client" })
        {
            var handlers = HandlerChain(factory.CreateHandler(clientName)).Select(h => h.GetType().Name).ToList();
            Assert.Contains(nameof(ResilienceHandler), handlers);
            Assert.Contains(handlers, name => name.Contains("Resolving", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task MapDefaultEndpoints_HealthRunsAllChecks_AliveOnlyLiveOnes()
    {
        await using var app = await StartWebAppAsync(
            app => app.MapDefaultEndpoints(),
            builder => builder.Services.AddHealthChecks()
                .AddCheck("database", () => HealthCheckResult.Unhealthy("down"), [DefaultHealthEndpoints.ReadyTag]));
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        using var health = await client.GetAsync(new Uri(DefaultHealthEndpoints.HealthPath, UriKind.Relative));
        using var alive = await client.GetAsync(new Uri(DefaultHealthEndpoints.AlivePath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("Healthy", await alive.Content.ReadAsStringAsync());
    }

    private static IEnumerable<HttpMessageHandler> HandlerChain(HttpMessageHandler handler)
    {
        for (HttpMessageHandler? current = handler; current is not null; current = (current as DelegatingHandler)?.InnerHandler)
        {
            yield return current;
        }
    }

    private static async Task<WebApplication> StartWebAppAsync(
        Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();

        // Once started, Urls holds the addresses Kestrel bound (the real port instead of 0).
        return app;
    }
}
