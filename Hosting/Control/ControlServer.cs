using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Control;

/// <summary>
/// Serves the running stack's command-line verbs (<c>dotnet run --project AppHost -- restart &lt;resource&gt;</c>) on a Unix
/// domain socket in the state folder (<see cref="ControlEndpoint"/>). Only the AppHost's own user (or root) is served: the
/// socket is mode 0600 and each peer's uid is checked. One JSON line in, one JSON line out. When the socket cannot be created
/// the stack runs on without it and says why.
/// </summary>
internal sealed partial class ControlServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 4096;
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly ApplicationOrchestrator _orchestrator;
    private readonly ResourceNotificationService _notifications;
    private readonly TimeSpan _actionTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _accepting;
    private int _stopped;

    private ControlServer(Socket listener, string path, ApplicationOrchestrator orchestrator, ResourceNotificationService notifications, TimeSpan actionTimeout, ILogger logger)
    {
        _listener = listener;
        Path = path;
        _orchestrator = orchestrator;
        _notifications = notifications;
        _actionTimeout = actionTimeout;
        _logger = logger;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Gets the socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Listens on the state folder's control socket, replacing one a killed AppHost left (the caller holds the state folder's
    /// lock, so no live AppHost owns it). Returns <see langword="null"/>, after logging why, when the socket cannot be created.
    /// </summary>
    public static ControlServer? TryStart(string stateDirectory, ApplicationOrchestrator orchestrator, ResourceNotificationService notifications, TimeSpan actionTimeout, ILogger logger)
    {
        var path = ControlEndpoint.PathFor(stateDirectory);
        Socket? listener = null;
        try
        {
            File.Delete(path);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen(16);
            return new ControlServer(listener, path, orchestrator, notifications, actionTimeout, logger);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            listener?.Dispose();
            LogUnavailable(logger, path, ex.Message);
            return null;
        }
    }

    /// <summary>Stops answering and removes the socket.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind; the next AppHost on this state folder replaces it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        ControlResponse response;
        try
        {
            response = IsOwnUser(client)
                ? await AnswerAsync(await ReadRequestAsync(stream).ConfigureAwait(false)).ConfigureAwait(false)
                : new ControlResponse(ControlResponse.Invalid, "Only the user that runs the AppHost (or root) may control its stack.");
        }
        catch (Exception ex) when (ex is IOException or JsonException or OperationCanceledException or SocketException)
        {
            response = new ControlResponse(ControlResponse.Invalid, $"The request could not be read ({ex.Message}). Send one JSON line: {{\"action\":\"restart\",\"resource\":\"<name>\"}}.");
        }

        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
            await stream.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
            await stream.WriteAsync("\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The client went away; the action's outcome is on the console and the dashboard.
        }
    }

    private async Task<ControlRequest> ReadRequestAsync(NetworkStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        timeout.CancelAfter(RequestReadTimeout);
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (Array.IndexOf(buffer, (byte)'\n', length - read, read) >= 0)
            {
                break;
            }
        }

        var line = Encoding.UTF8.GetString(buffer, 0, length).Split('\n')[0];
        return JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest) ?? throw new JsonException("the request is null");
    }

    private async Task<ControlResponse> AnswerAsync(ControlRequest request)
    {
        if (request.Action != "restart")
        {
            return new ControlResponse(ControlResponse.Invalid, $"There is no action '{request.Action}'; this AppHost answers: restart.");
        }

        var resource = _orchestrator.Resources.FirstOrDefault(r => r.Name == request.Resource);
        if (resource is null)
        {
            return new ControlResponse(ControlResponse.Invalid,
                $"The stack has no resource named '{request.Resource}'. Resources: {string.Join(", ", _orchestrator.Resources.Select(r => r.Name))}. Nothing was changed.");
        }

        if (!ResourceViews.IsRunnable(resource))
        {
            var parent = resource is ApplicationModel.IResourceWithParent child ? $"; restart '{child.Parent.Name}' instead" : string.Empty;
            return new ControlResponse(ControlResponse.Invalid, $"Resource '{resource.Name}' is not restarted on its own{parent}. Nothing was changed.");
        }

        if (_notifications.TryGetSnapshot(resource.Name) is { Disabled: true, Reason: var off })
        {
            return new ControlResponse(ControlResponse.Invalid, $"{off} Nothing was changed.");
        }

        LogRestart(_logger, resource.Name);
        var started = Stopwatch.GetTimestamp();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        bounded.CancelAfter(_actionTimeout);
        try
        {
            await _orchestrator.RestartResourceAsync(resource.Name, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_shutdown.IsCancellationRequested)
        {
            var now = _notifications.TryGetSnapshot(resource.Name);
            return new ControlResponse(ControlResponse.Failed,
                $"'{resource.Name}' is still {now?.State} after {_actionTimeout.TotalSeconds:0} s (Stack:StartupTimeout){(now?.WaitingFor.Count > 0 ? $", waiting for {string.Join(", ", now.WaitingFor)}" : string.Empty)}. The AppHost's console shows how it goes.",
                now?.State.ToString(), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            return new ControlResponse(ControlResponse.Failed, "The stack is stopping.");
        }
        catch (Exception ex) when (ex is DistributedApplicationException or InvalidOperationException or TimeoutException or IOException)
        {
            return new ControlResponse(ControlResponse.Failed, ex.Message, _notifications.TryGetSnapshot(resource.Name)?.State.ToString(), (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var snapshot = _notifications.TryGetSnapshot(resource.Name);
        return snapshot is { State: ResourceState.FailedToStart or ResourceState.Exited or ResourceState.Stopped }
            ? new ControlResponse(ControlResponse.Failed, $"'{resource.Name}' did not come back: {snapshot.State}{(snapshot.Reason is null ? "." : ": " + snapshot.Reason)}", snapshot.State.ToString(), elapsed)
            : new ControlResponse(ControlResponse.Done, $"Restarted '{resource.Name}' in {elapsed / 1000.0:0.00} s; it is {snapshot?.State}.", snapshot?.State.ToString(), elapsed);
    }

    /// <summary>Whether the peer runs as this process's user or as root (Linux: SO_PEERCRED; elsewhere the socket's mode decides).</summary>
    private static bool IsOwnUser(Socket client)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        const int SolSocket = 1;
        const int SoPeerCred = 17;
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        if (client.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 12)
        {
            return false;
        }

        var uid = BitConverter.ToUInt32(credentials[4..8]);
        return uid == 0 || uid == NativeMethods.GetEffectiveUserId();
    }

    [LoggerMessage(EventId = LogEvents.ControlSocketUnavailable, Level = LogLevel.Warning, Message = "Restart from the command line is unavailable: the control socket {SocketPath} could not be created ({Reason}). The dashboard's actions still work.")]
    private static partial void LogUnavailable(ILogger logger, string socketPath, string reason);

    [LoggerMessage(EventId = LogEvents.ControlRestart, Level = LogLevel.Information, Message = "Command line: restart '{ResourceName}'")]
    private static partial void LogRestart(ILogger logger, string resourceName);
}
