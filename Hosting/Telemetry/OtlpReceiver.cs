using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// The AppHost's OTLP/HTTP receiver: <c>POST /v1/logs</c>, <c>/v1/traces</c>, <c>/v1/metrics</c> (protobuf) on 127.0.0.1 at its own
/// port, next to the dashboard, guarded by <see cref="OtlpApiKey"/>. Containers on the stack network cannot reach 127.0.0.1 of the
/// host, so <see cref="ListenOnAsync"/> adds a listener on the stack network's gateway address (on the host, reachable only from
/// the host and that network's containers) on the same port.
/// </summary>
internal sealed partial class OtlpReceiver : IAsyncDisposable
{
    private readonly OtlpRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly List<(IPAddress Address, WebApplication App)> _listeners = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<IPAddress> _pending = [];
    private readonly CancellationTokenSource _disposed = new();

    private OtlpReceiver(TelemetryStore store, OtlpApiKey key, ILogger logger)
    {
        Store = store;
        Key = key;
        _logger = logger;
        _handler = new OtlpRequestHandler(store, key, logger);
    }

    public TelemetryStore Store { get; }

    public OtlpApiKey Key { get; }

    /// <summary>Gets the port the receiver listens on (the same on every address).</summary>
    public int Port { get; private set; }

    /// <summary>Gets the endpoint for processes on the host: <c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri HostEndpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>Gets why the receiver is off, or <see langword="null"/> when it runs.</summary>
    public string? OffReason { get; private set; }

    public bool IsRunning => OffReason is null;

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0 picks a free one); never throws for a port that is taken.</summary>
    public static async Task<OtlpReceiver> StartAsync(int port, TelemetryStore store, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("StackModel.Telemetry");
        var receiver = new OtlpReceiver(store, new OtlpApiKey(), logger);
        try
        {
            var app = await receiver.StartListenerAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            receiver.Port = ActualPort(app) ?? port;
            receiver._listeners.Add((IPAddress.Loopback, app));
        }
        catch (IOException ex)
        {
            receiver.OffReason = $"127.0.0.1:{port} is not free ({ex.GetBaseException().Message}). The stack runs without telemetry (nothing gets OTEL_* variables); free the port, or set another with --Dashboard:OtlpPort=<port> (0 picks a free one).";
            LogOff(logger, receiver.OffReason);
        }

        return receiver;
    }

    /// <summary>
    /// Listens also on <paramref name="address"/> (a container network's gateway on this host), on the same port. Returns
    /// <see langword="false"/> with the reason when it cannot (the port is taken there). Podman creates a network's bridge, and
    /// so its gateway address, only when the first container joins it: an address that does not exist yet is bound in the
    /// background as soon as it appears (for up to <see cref="GatewayWait"/>), before the container's first export.
    /// </summary>
    public async Task<(bool Listening, string? Reason)> ListenOnAsync(IPAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!IsRunning)
        {
            return (false, OffReason);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_listeners.Any(l => l.Address.Equals(address)))
            {
                return (true, null);
            }

            if (_pending.Contains(address))
            {
                return (true, null);
            }

            var app = await StartListenerAsync(address, Port, cancellationToken).ConfigureAwait(false);
            _listeners.Add((address, app));
            LogListening(_logger, address.ToString(), Port);
            return (true, null);
        }
        catch (Exception ex) when (IsAddressNotYetThere(ex))
        {
            _pending.Add(address);
            _ = Task.Run(() => BindWhenThereAsync(address), CancellationToken.None);
            return (true, null);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            return (false, $"{address}:{Port} is not free ({ex.GetBaseException().Message})");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How long a gateway address that does not exist yet is waited for.</summary>
    public static readonly TimeSpan GatewayWait = TimeSpan.FromMinutes(2);

    private static bool IsAddressNotYetThere(Exception ex) =>
        ex.GetBaseException() is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable };

    private async Task BindWhenThereAsync(IPAddress address)
    {
        var deadline = DateTime.UtcNow + GatewayWait;
        string reason = "the address did not appear on this host";
        while (DateTime.UtcNow < deadline && !_disposed.IsCancellationRequested)
        {
            WebApplication? app = null;
            try
            {
                await Task.Delay(100, _disposed.Token).ConfigureAwait(false);
                app = await StartListenerAsync(address, Port, _disposed.Token).ConfigureAwait(false);
                await _gate.WaitAsync(_disposed.Token).ConfigureAwait(false);
                try
                {
                    _listeners.Add((address, app));
                    _pending.Remove(address);
                }
                finally
                {
                    _gate.Release();
                }

                LogListening(_logger, address.ToString(), Port);
                return;
            }
            catch (OperationCanceledException)
            {
                if (app is not null)
                {
                    await app.DisposeAsync().ConfigureAwait(false); // the receiver was disposed meanwhile
                }

                return;
            }
            catch (Exception ex) when (IsAddressNotYetThere(ex))
            {
                // The bridge is not there yet: the container has not started.
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                reason = ex.GetBaseException().Message;
                break;
            }
        }

        if (!_disposed.IsCancellationRequested)
        {
            LogGatewayNotBound(_logger, address.ToString(), Port, reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var (_, app) in _listeners)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _listeners.Clear();
        _gate.Release();
    }

    private async Task<WebApplication> StartListenerAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "StackModel.OtlpReceiver" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(address, port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // counted by the handler, after decompression (Dashboard:Telemetry:MaxRequestBytes)
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.UseRouting();
        app.MapPost("/v1/logs", (HttpContext http) => _handler.HandleAsync(http, TelemetryKind.Logs));
        app.MapPost("/v1/traces", (HttpContext http) => _handler.HandleAsync(http, TelemetryKind.Traces));
        app.MapPost("/v1/metrics", (HttpContext http) => _handler.HandleAsync(http, TelemetryKind.Metrics));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }

    private static int? ActualPort(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is not null && Uri.TryCreate(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : null;
    }

    [LoggerMessage(EventId = LogEvents.OtlpReceiverOff, Level = LogLevel.Warning, Message = "Telemetry is off: {Reason}")]
    private static partial void LogOff(ILogger logger, string reason);

    [LoggerMessage(EventId = LogEvents.OtlpGatewayNotBound, Level = LogLevel.Warning, Message = "Telemetry: the OTLP receiver could not listen on the stack network's gateway {Address}:{Port} ({Reason}); the stack's containers cannot send telemetry")]
    private static partial void LogGatewayNotBound(ILogger logger, string address, int port, string reason);

    [LoggerMessage(EventId = LogEvents.OtlpListeningOnNetwork, Level = LogLevel.Debug, Message = "OTLP receiver also listens on {Address}:{Port} for the stack network's containers")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
