using System.Net;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes.Container;
using StackModel.ServiceDefaults;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// Gives every project, executable and container of the stack what an OpenTelemetry SDK needs to export to the AppHost's
/// receiver, as Aspire does: the endpoint for where it runs (host processes <c>http://127.0.0.1:&lt;port&gt;</c>; containers the
/// stack network's gateway, where the receiver also listens), the protocol, the key (a secret: masked wherever the environment is
/// shown), the service name (= the resource's name), a new <c>service.instance.id</c> per start, and export intervals of one
/// second. Only while a receiver runs: with the dashboard off nothing of this is added. A variable the resource declares itself
/// is kept.
/// </summary>
/// <param name="receiver">The running receiver.</param>
/// <param name="networkGateway">Returns the stack network's gateway on this host (<see cref="ContainerStack.NetworkGatewayAsync"/>), or null.</param>
/// <param name="networkName">The stack network's name, for messages.</param>
/// <param name="logger">Where a container's missing endpoint is reported.</param>
internal sealed partial class OtlpEnvironment(OtlpReceiver receiver, Func<CancellationToken, Task<IPAddress?>> networkGateway, string networkName, ILogger logger)
{
    public const string EndpointVariable = ServiceDefaultsExtensions.OtlpEndpointKey;
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string HeadersVariable = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>Development export intervals (Aspire's): logs, spans and metrics leave a process within a second.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Intervals =
    [
        new("OTEL_BLRP_SCHEDULE_DELAY", "1000"),
        new("OTEL_BSP_SCHEDULE_DELAY", "1000"),
        new("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        new("OTEL_TRACES_SAMPLER", "always_on"),
    ];

    private readonly SemaphoreSlim _gatewayLock = new(1, 1);
    private Uri? _containerEndpoint;
    private string? _containerProblem;

    private string HostEndpoint => receiver.HostEndpoint.ToString().TrimEnd('/');

    /// <summary>Adds the variables to every project, executable and container of <paramref name="model"/> (once per resource).</summary>
    public void Apply(DistributedApplicationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var resource in model.Resources.Where(r => r is ProjectResource or ExecutableResource or ContainerResource))
        {
            if (resource.Annotations.OfType<Injected>().FirstOrDefault() is { } injected)
            {
                injected.Environment = this; // a later start of the same application: this run's receiver and key
                continue;
            }

            var marker = new Injected(this);
            resource.Annotations.Add(marker);
            resource.Annotations.Add(new EnvironmentCallbackAnnotation(c => marker.Environment.Fill(c.EnvironmentVariables, resource.Name)));
        }
    }

    private void Fill(IDictionary<string, object> variables, string resourceName)
    {
        variables.TryAdd(EndpointVariable, new EndpointValue(this));
        variables.TryAdd(ProtocolVariable, "http/protobuf");
        variables.TryAdd(HeadersVariable, new KeyValue(receiver.Key));
        variables.TryAdd(ServiceNameVariable, resourceName);
        variables.TryAdd(ResourceAttributesVariable, new InstanceValue(resourceName));
        foreach (var (name, value) in Intervals)
        {
            variables.TryAdd(name, value);
        }
    }

    /// <summary>The endpoint a container uses: the receiver on the stack network's gateway, started on first use.</summary>
    private async ValueTask<string?> ContainerEndpointAsync(CancellationToken cancellationToken)
    {
        await _gatewayLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_containerEndpoint is null && _containerProblem is null)
            {
                IPAddress? gateway;
                try
                {
                    gateway = await networkGateway(cancellationToken).ConfigureAwait(false);
                }
                catch (DistributedApplicationException ex)
                {
                    gateway = null;
                    _containerProblem = ex.Message;
                }

                if (gateway is not null)
                {
                    var (listening, reason) = await receiver.ListenOnAsync(gateway, cancellationToken).ConfigureAwait(false);
                    if (listening)
                    {
                        _containerEndpoint = new Uri($"http://{gateway}:{receiver.Port}");
                    }
                    else
                    {
                        _containerProblem = reason;
                    }
                }
                else
                {
                    _containerProblem ??= $"the engine reports no IPv4 gateway for the network '{networkName}' (a rootless engine keeps it out of the host's reach)";
                }

                if (_containerProblem is not null)
                {
                    LogNotReachable(logger, _containerProblem);
                }
            }

            return _containerEndpoint?.ToString().TrimEnd('/');
        }
        finally
        {
            _gatewayLock.Release();
        }
    }

    [LoggerMessage(EventId = LogEvents.OtlpNotReachableFromContainers, Level = LogLevel.Warning,
        Message = "Telemetry: the stack's containers get no OTLP endpoint: {Reason}. Their logs, traces and metrics are not received; host processes are not affected")]
    private static partial void LogNotReachable(ILogger logger, string reason);

    /// <summary>Marks a resource that has the variables, and points at the current run's injection.</summary>
    private sealed class Injected(OtlpEnvironment environment) : IResourceAnnotation
    {
        public OtlpEnvironment Environment { get; set; } = environment;
    }

    private sealed class EndpointValue(OtlpEnvironment owner) : IValueProvider
    {
        public string ValueExpression => "{dashboard.otlp.http}";

        public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
            context == NetworkContext.Host
                ? ValueTask.FromResult<string?>(owner.HostEndpoint.ToString().TrimEnd('/'))
                : owner.ContainerEndpointAsync(cancellationToken);
    }

    private sealed class KeyValue(OtlpApiKey key) : IValueProvider
    {
        public string ValueExpression => "{dashboard.otlp.apiKey}";

        public bool IsSecret => true;

        public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<string?>(key.HeadersVariable);
    }

    /// <summary>A new <c>service.instance.id</c> each time the environment is rendered, i.e. for each process or container started.</summary>
    private sealed class InstanceValue(string resourceName) : IValueProvider
    {
        public string ValueExpression => $"service.instance.id={resourceName}-{{random}}";

        public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<string?>($"service.instance.id={resourceName}-{Guid.NewGuid().ToString("N")[..8]}");
    }
}
