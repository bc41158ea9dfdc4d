using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// Stands between the AppHost and Docker Engine's real socket (<c>/var/run/docker.sock</c>): listens on a Unix socket of the test's or
/// on 127.0.0.1, passes every byte both ways, and records each request's line and <c>User-Agent</c>, so a test sees who asked what —
/// the docker CLI (<c>Docker-Client/...</c>) or the AppHost's own API client (<c>StackModel</c>). Not a stand-in: the daemon answers.
/// </summary>
internal sealed partial class DockerSocketRelay : IAsyncDisposable
{
    private const string DaemonSocket = "/var/run/docker.sock";
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<StringBuilder> _connections = [];
    private readonly Task _accepting;

    private DockerSocketRelay(Socket listener, string dockerHost)
    {
        _listener = listener;
        DockerHost = dockerHost;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Gets the DOCKER_HOST value that reaches the relay (<c>unix:///...</c> or <c>tcp://127.0.0.1:port</c>).</summary>
    public string DockerHost { get; }

    /// <summary>Listens on a Unix socket at <paramref name="path"/>.</summary>
    public static DockerSocketRelay OnUnixSocket(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(64);
        return new DockerSocketRelay(listener, "unix://" + path);
    }

    /// <summary>Listens on 127.0.0.1 at a free port (plain HTTP, as <c>DOCKER_HOST=tcp://</c> without TLS).</summary>
    public static DockerSocketRelay OnLoopbackTcp()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        return new DockerSocketRelay(listener, $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
    }

    /// <summary>Every request seen so far: its method and path (API version removed, e.g. <c>POST /containers/create</c>) and its User-Agent.</summary>
    public IReadOnlyList<(string Request, string UserAgent)> Requests()
    {
        var requests = new List<(string, string)>();
        string[] texts;
        lock (_connections)
        {
            texts = [.. _connections.Select(c => c.ToString())];
        }

        foreach (var text in texts)
        {
            string? current = null;
            var agent = string.Empty;
            foreach (var line in text.Split("\r\n"))
            {
                if (RequestLine().Match(line) is { Success: true } match)
                {
                    if (current is not null)
                    {
                        requests.Add((current, agent));
                    }

                    current = $"{match.Groups[1].Value} {match.Groups[2].Value}";
                    agent = string.Empty;
                }
                else if (current is not null && line.StartsWith("User-Agent:", StringComparison.OrdinalIgnoreCase))
                {
                    agent = line["User-Agent:".Length..].Trim();
                }
            }

            if (current is not null)
            {
                requests.Add((current, agent));
            }
        }

        return requests;
    }

    /// <summary>Forgets the requests seen so far.</summary>
    public void Clear()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Clear();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            var record = new StringBuilder();
            lock (_connections)
            {
                _connections.Add(record);
            }

            _ = Task.Run(() => RelayAsync(client, record));
        }
    }

    private async Task RelayAsync(Socket client, StringBuilder record)
    {
        using (client)
        using (var daemon = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await daemon.ConnectAsync(new UnixDomainSocketEndPoint(DaemonSocket), _stop.Token);
                await Task.WhenAny(CopyAsync(client, daemon, record), CopyAsync(daemon, client, null));
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
            {
                // A side closed, or the relay stopped.
            }
        }
    }

    private async Task CopyAsync(Socket from, Socket to, StringBuilder? record)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (record is not null)
                {
                    lock (_connections)
                    {
                        record.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    }
                }

                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side closed, or the relay stopped.
        }
    }

    // Anywhere in a line: on a kept-alive connection a request line follows the previous request's body without a line break.
    [GeneratedRegex(@"(GET|POST|PUT|DELETE|HEAD) (?:/v[0-9.]+)?(/[^?\s]*)\S* HTTP/1\.[01]$")]
    private static partial Regex RequestLine();
}
