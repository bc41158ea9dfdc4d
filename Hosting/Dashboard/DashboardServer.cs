using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Dashboard;

/// <summary>
/// The web dashboard, served by the AppHost process on 127.0.0.1 with Kestrel from the shared framework. When it cannot start
/// (the port is taken) the stack runs on without it and <see cref="StatusLine"/> says why.
/// </summary>
internal sealed partial class DashboardServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILogger _logger;
    private WebApplication? _app;
    private int _stopped;

    private DashboardServer(DashboardToken token, ILogger logger)
    {
        Token = token;
        _logger = logger;
    }

    /// <summary>Gets the login token of this run.</summary>
    public DashboardToken Token { get; }

    /// <summary>Gets the dashboard's address (<c>http://127.0.0.1:&lt;port&gt;</c>), or <see langword="null"/> when it is off.</summary>
    public Uri? BaseUrl { get; private set; }

    /// <summary>Gets the URL that signs a browser in (<c>http://127.0.0.1:&lt;port&gt;/login?t=…</c>), or <see langword="null"/> when it is off.</summary>
    public Uri? LoginUrl => BaseUrl is null ? null : new Uri(BaseUrl, "/login?t=" + Token.Value);

    /// <summary>Gets why the dashboard is off, or <see langword="null"/> when it runs.</summary>
    public string? OffReason { get; private set; }

    /// <summary>Gets the line the console shows about the dashboard.</summary>
    public string StatusLine => LoginUrl is { } url ? $"Dashboard: {url}" : $"Dashboard is off: {OffReason}";

    /// <summary>
    /// Gets the OTLP receiver whose telemetry the dashboard shows, or <see langword="null"/> when none was declared or the dashboard
    /// is off (check <see cref="OtlpReceiver.IsRunning"/>: its own port may be taken).
    /// </summary>
    public OtlpReceiver? Otlp { get; private set; }

    /// <summary>Starts the dashboard when the AppHost declared one (<c>AddDashboard</c>) and <c>Dashboard:Enabled</c> is not false.</summary>
    public static async Task<DashboardServer?> StartIfEnabledAsync(DistributedApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<DashboardDeclaration>() is not { } declaration)
        {
            return null;
        }

        var options = new DashboardOptions { Port = declaration.Port };
        app.Configuration.GetSection(DashboardOptions.SectionName).Bind(options);
        if (!options.Enabled)
        {
            return null;
        }

        // Dashboard:OtlpPort moves a declared receiver; without AddDashboard(otlpPort: ...) there is none.
        options.OtlpPort = declaration.OtlpPort is null ? null : options.OtlpPort ?? declaration.OtlpPort;
        var store = options.OtlpPort is null ? null : new TelemetryStore(options.Telemetry);
        var context = new DashboardContext(app.Model, app.ResourceNotifications, app.ResourceLogs, app.Orchestrator, options, store);
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var server = await StartAsync(context, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (server.BaseUrl is not null && store is not null)
        {
            // Telemetry only with a dashboard to show it: with the dashboard off nothing is received and nothing injected.
            server.Otlp = await OtlpReceiver.StartAsync(options.OtlpPort!.Value, store, loggerFactory, cancellationToken).ConfigureAwait(false);
        }

        return server;
    }

    /// <summary>Starts the dashboard; never throws for a port that is taken (the result says it is off, and why).</summary>
    public static async Task<DashboardServer> StartAsync(DashboardContext context, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("StackModel.Dashboard");
        var server = new DashboardServer(new DashboardToken(), logger);
        var port = context.Options.Port;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "StackModel.Dashboard" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        app.Use((http, next) => Guard(http, next, server.Token));
        app.UseRouting();
        new DashboardApi(context, server.Token, server._shutdown.Token, logger).Map(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            server.OffReason = $"127.0.0.1:{port} is not free ({ex.GetBaseException().Message}). The stack runs without the dashboard; free the port, or set another with --Dashboard:Port=<port> (0 picks a free one).";
            LogOff(logger, server.OffReason);
            await app.DisposeAsync().ConfigureAwait(false);
            return server;
        }

        server._app = app;
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://127.0.0.1:{port}";
        server.BaseUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Stops serving; open log and state streams end.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        if (Otlp is not null)
        {
            await Otlp.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    /// <summary>Refuses every request without the token (401) and every POST without the dashboard's header (403); sets strict headers.</summary>
    private static Task Guard(HttpContext http, RequestDelegate next, DashboardToken token)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        if (http.Request.Path.Equals("/login", StringComparison.Ordinal) || http.Request.Path.Equals("/favicon.ico", StringComparison.Ordinal))
        {
            return next(http);
        }

        if (!token.IsAuthenticated(http.Request))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync("Not signed in. Open the dashboard login URL that the AppHost printed on its console (it changes on every run).", http.RequestAborted);
        }

        if (HttpMethods.IsPost(http.Request.Method) && !http.Request.Headers.ContainsKey(DashboardToken.ActionHeader))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.ContentType = "text/plain; charset=utf-8";
            return http.Response.WriteAsync($"Actions need the {DashboardToken.ActionHeader} header (the dashboard page sends it); this guards against requests forged by other sites.", http.RequestAborted);
        }

        return next(http);
    }

    [LoggerMessage(EventId = LogEvents.DashboardOff, Level = LogLevel.Warning, Message = "Dashboard is off: {Reason}")]
    private static partial void LogOff(ILogger logger, string reason);
}
