using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Dashboard;

/// <summary>The dashboard's pages and JSON / server-sent-event endpoints. Authentication is checked before any of them runs.</summary>
internal sealed partial class DashboardApi(DashboardContext context, DashboardToken token, CancellationToken shutdown, ILogger logger)
{
    /// <summary>Log lines sent in one server-sent event at most; a burst is split over several events.</summary>
    public const int MaxLinesPerEvent = 1000;

    /// <summary>Pause between two log events, so a chatty resource costs the page at most ten updates a second.</summary>
    public static readonly TimeSpan LogBatchInterval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan ActionWait = TimeSpan.FromSeconds(3);

    /// <summary>The tab icon; served without sign-in, like the login page, so a browser's automatic request is never refused.</summary>
    private const string Favicon =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" fill=\"#512bd4\"/>" +
        "<rect x=\"3\" y=\"3\" width=\"10\" height=\"2.5\" fill=\"#fff\"/><rect x=\"3\" y=\"6.8\" width=\"10\" height=\"2.5\" fill=\"#fff\"/><rect x=\"3\" y=\"10.6\" width=\"10\" height=\"2.5\" fill=\"#fff\"/></svg>";

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/login", Login);
        routes.MapGet("/favicon.ico", () => Results.Text(Favicon, "image/svg+xml"));
        routes.MapGet("/", () => Asset("index.html"));
        routes.MapGet("/structuredlogs", () => Asset("structuredlogs.html"));
        routes.MapGet("/traces", () => Asset("traces.html"));
        routes.MapGet("/metrics", () => Asset("metrics.html"));
        routes.MapGet("/assets/{file}", (string file) => Asset(file));
        routes.MapGet("/api/resources", () => Results.Json(ResourceViews.Build(context), ServerSentEvents.Json));
        routes.MapGet("/api/resources/stream", StreamResourcesAsync);
        routes.MapGet("/api/graph.svg", () => Results.Text(DependencyGraphSvg.Render(context.Orchestrator.Resources), "image/svg+xml; charset=utf-8"));
        routes.MapGet("/api/resources/{name}/environment", ListEnvironment);
        routes.MapPost("/api/resources/{name}/environment/{variable}/reveal", RevealAsync);
        routes.MapGet("/api/resources/{name}/logs", StreamLogsAsync);
        routes.MapPost("/api/resources/{name}/{action}", ActAsync);
        if (context.Telemetry is { } telemetry)
        {
            new TelemetryApi(telemetry, shutdown).Map(routes);
        }
    }

    private IResult Login(HttpContext http, string? t)
    {
        if (!token.Matches(t))
        {
            return Results.Content(
                "<!doctype html><title>Not signed in</title><p>The login token is wrong or missing. Open the login URL that the AppHost printed on its console (it changes on every run).</p>",
                "text/html; charset=utf-8",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        http.Response.Cookies.Append(DashboardToken.CookieName, token.Value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });

        // A page of our own moves on to "/", so the Strict cookie is sent even when the link came from another application.
        return Results.Content(
            "<!doctype html><meta http-equiv=\"refresh\" content=\"0;url=/\"><title>Signed in</title><p>Signed in. <a href=\"/\">Open the dashboard</a>.</p>",
            "text/html; charset=utf-8");
    }

    private static IResult Asset(string name) =>
        DashboardAssets.Get(name) is { } asset ? Results.Bytes(asset.Content, asset.ContentType) : Results.NotFound();

    private async Task StreamResourcesAsync(HttpContext http)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, shutdown);
        var ct = linked.Token;
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var _ in context.Notifications.WatchAsync(ct).ConfigureAwait(false))
                    {
                        changed.Writer.TryWrite(true);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The page went away or the dashboard stops.
                }
                finally
                {
                    changed.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        try
        {
            await ServerSentEvents.BeginAsync(http.Response, ct).ConfigureAwait(false);
            await ServerSentEvents.WriteAsync(http.Response, "resources", Payload(), ct).ConfigureAwait(false);
            while (await changed.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                // Coalesce a burst of changes into one update.
                await Task.Delay(TimeSpan.FromMilliseconds(150), ct).ConfigureAwait(false);
                changed.Reader.TryRead(out _);
                await ServerSentEvents.WriteAsync(http.Response, "resources", Payload(), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away or the dashboard stops.
        }
        catch (IOException)
        {
            // The connection closed.
        }

        await linked.CancelAsync().ConfigureAwait(false);
        await pump.ConfigureAwait(false);
    }

    private object Payload() => new { serverTime = DateTimeOffset.UtcNow, resources = ResourceViews.Build(context) };

    private IResult ListEnvironment(string name)
    {
        if (FindResource(name) is not { } resource)
        {
            return UnknownResource(name);
        }

        var variables = EnvironmentRenderer.SecretFlags(resource)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new EnvironmentVariableView(kv.Key, kv.Value))
            .ToArray();
        return Results.Json(new { resource = name, context = ResourcePlacement.Of(resource).Context.ToString(), variables }, ServerSentEvents.Json);
    }

    private async Task<IResult> RevealAsync(string name, string variable, CancellationToken cancellationToken)
    {
        if (FindResource(name) is not { } resource)
        {
            return UnknownResource(name);
        }

        IReadOnlyDictionary<string, string?> environment;
        try
        {
            environment = await EnvironmentRenderer.RenderEnvironmentAsync(resource, ResourcePlacement.Of(resource).Context, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return Problem(StatusCodes.Status409Conflict, $"The environment of '{name}' cannot be rendered yet: {ex.Message}");
        }

        if (!environment.TryGetValue(variable, out var value))
        {
            return Problem(StatusCodes.Status404NotFound, $"Resource '{name}' has no environment variable '{variable}'. It has: {string.Join(", ", environment.Keys.Order(StringComparer.Ordinal))}.");
        }

        LogRevealed(logger, name, variable);
        return Results.Json(new { name = variable, value }, ServerSentEvents.Json);
    }

    private async Task StreamLogsAsync(HttpContext http, string name, int? tail)
    {
        if (FindResource(name) is null)
        {
            await UnknownResource(name).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, shutdown);
        var ct = linked.Token;
        var backlog = Math.Clamp(tail ?? context.Options.LogTail, 0, ResourceLoggerService.Capacity);

        // Bounded: a page that cannot keep up loses the oldest lines (it sees the gap in the sequence numbers) instead of growing memory.
        var lines = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(ResourceLoggerService.Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
        var pump = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var line in context.Logs.WatchAsync(name, backlog, ct).ConfigureAwait(false))
                    {
                        lines.Writer.TryWrite(line);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The page went away or the dashboard stops.
                }
                finally
                {
                    lines.Writer.TryComplete();
                }
            },
            CancellationToken.None);
        var batch = new List<object>(MaxLinesPerEvent);
        try
        {
            await ServerSentEvents.BeginAsync(http.Response, ct).ConfigureAwait(false);
            await ServerSentEvents.WriteAsync(http.Response, "info", new { resource = name, backlog, capacity = ResourceLoggerService.Capacity }, ct).ConfigureAwait(false);
            while (await lines.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxLinesPerEvent && lines.Reader.TryRead(out var line))
                {
                    batch.Add(new { seq = line.Sequence, ts = line.Timestamp, text = line.Text, err = line.IsError });
                }

                await ServerSentEvents.WriteAsync(http.Response, "lines", batch, ct).ConfigureAwait(false);
                await Task.Delay(LogBatchInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away or the dashboard stops.
        }
        catch (IOException)
        {
            // The connection closed.
        }

        await linked.CancelAsync().ConfigureAwait(false);
        await pump.ConfigureAwait(false);
    }

    private async Task<IResult> ActAsync(string name, string action)
    {
        if (FindResource(name) is not { } resource)
        {
            return UnknownResource(name);
        }

        var orchestrator = context.Orchestrator;
        Task? work = action switch
        {
            "start" => orchestrator.StartResourceAsync(resource.Name, shutdown),
            "stop" => orchestrator.StopResourceAsync(resource.Name, shutdown),
            "restart" => orchestrator.RestartResourceAsync(resource.Name, shutdown),
            _ => null,
        };
        if (work is null)
        {
            return Problem(StatusCodes.Status404NotFound, $"There is no action '{action}'. Use start, stop or restart.");
        }

        LogAction(logger, action, name);
        var finished = await Task.WhenAny(work, Task.Delay(ActionWait, shutdown)).ConfigureAwait(false);
        if (finished != work)
        {
            // Still going (e.g. waiting for a dependency): the table shows how it goes.
            _ = work.ContinueWith(t => LogActionFailed(logger, action, name, t.Exception!.GetBaseException().Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return Results.Json(new { resource = name, action, status = "in progress" }, ServerSentEvents.Json, statusCode: StatusCodes.Status202Accepted);
        }

        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DistributedApplicationException or InvalidOperationException or TimeoutException or IOException)
        {
            LogActionFailed(logger, action, name, ex.Message);
            return Problem(StatusCodes.Status409Conflict, ex.Message);
        }

        return Results.Json(new { resource = name, action, status = "done", state = context.Notifications.TryGetSnapshot(name)?.State.ToString() }, ServerSentEvents.Json);
    }

    private IResource? FindResource(string name) => context.Orchestrator.Resources.FirstOrDefault(r => r.Name == name);

    private IResult UnknownResource(string name) =>
        Problem(StatusCodes.Status404NotFound, $"The stack has no resource named '{name}'. Resources: {string.Join(", ", context.Orchestrator.Resources.Select(r => r.Name))}.");

    private static IResult Problem(int status, string message) => Results.Json(new { error = message }, ServerSentEvents.Json, statusCode: status);

    [LoggerMessage(EventId = LogEvents.DashboardAction, Level = LogLevel.Information, Message = "Dashboard: {Action} '{ResourceName}'")]
    private static partial void LogAction(ILogger logger, string action, string resourceName);

    [LoggerMessage(EventId = LogEvents.DashboardActionFailed, Level = LogLevel.Warning, Message = "Dashboard: {Action} '{ResourceName}' failed: {Reason}")]
    private static partial void LogActionFailed(ILogger logger, string action, string resourceName, string reason);

    [LoggerMessage(EventId = LogEvents.DashboardValueRevealed, Level = LogLevel.Information, Message = "Dashboard: revealed {Variable} of '{ResourceName}'")]
    private static partial void LogRevealed(ILogger logger, string resourceName, string variable);
}
