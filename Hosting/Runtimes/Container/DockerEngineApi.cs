using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Docker Engine's HTTP API on its Unix socket (<see cref="DockerApiEndpoint"/>), for the calls on a start's path: volume and
/// image inspect, container create and start, logs, wait, stop and remove. Each <c>docker</c> CLI call is a Go program's start
/// plus the same API call (≈ 30 ms more each, measured here, more under load), and the AppHost's first CLI call also loads the
/// process machinery; one connection, kept alive, answers an inspect in about a millisecond. A plain <see cref="HttpClient"/>
/// over a <see cref="UnixDomainSocketEndPoint"/> rather than Docker.DotNet: its first calls compiled ≈ 800 more methods in a
/// ReadyToRun build and took ≈ 100 ms longer to the first container created (measured; see the README).
/// </summary>
internal sealed class DockerEngineApi : IDisposable
{
    private readonly HttpClient _http;
    private Task<string>? _version;

    public DockerEngineApi(string socketPath, string source)
    {
        SocketPath = socketPath;
        Source = source;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("StackModel.AppHost"); // who asked, in the daemon's and a proxy's logs
    }

    /// <summary>Gets the socket's path.</summary>
    public string SocketPath { get; }

    /// <summary>Gets where the socket came from (<c>DOCKER_HOST=unix:///...</c>, or the default), for messages.</summary>
    public string Source { get; }

    /// <summary>
    /// Connects and asks the daemon's API version on the thread pool, without waiting: a stack about to start on this engine calls it
    /// first, so that the HTTP stack's first use in the process (type loading and JIT, ≈ 0.1 s here) overlaps the AppHost's own start
    /// instead of delaying its first engine call. A failure is left to that call, which reports it.
    /// </summary>
    public void Prewarm() =>
        _ = Task.Run(() => VersionPrefixAsync(CancellationToken.None), CancellationToken.None)
            .ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Whether the named volume exists.</summary>
    public async Task<bool> VolumeExistsAsync(string volume, CancellationToken cancellationToken = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, $"volumes/{Uri.EscapeDataString(volume)}", null, "volume inspect", cancellationToken).ConfigureAwait(false);
        return status switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw Unexpected("volume inspect", status, body),
        };
    }

    /// <summary>Whether the image is present locally.</summary>
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"images/{image}/json", null, "image inspect", cancellationToken).ConfigureAwait(false)).Status == HttpStatusCode.OK;

    /// <summary>Whether a container of that name or id exists.</summary>
    public async Task<bool> ContainerExistsAsync(string container, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"containers/{Uri.EscapeDataString(container)}/json", null, "container inspect", cancellationToken).ConfigureAwait(false)).Status == HttpStatusCode.OK;

    /// <summary>
    /// Creates and starts a container, as <c>docker run -d</c> does (which also leaves a container that failed to start behind);
    /// the answer has the shape of the CLI's: exit code 0, or 125 with the daemon's message.
    /// </summary>
    public async Task<ContainerCommandResult> RunAsync(string name, JsonObject config, CancellationToken cancellationToken = default)
    {
        var (created, createBody) = await SendAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", config, "create", cancellationToken).ConfigureAwait(false);
        if (created != HttpStatusCode.Created)
        {
            return Failed(created, createBody);
        }

        var id = JsonNode.Parse(createBody)?["Id"]?.GetValue<string>() ?? name;
        var (started, startBody) = await SendAsync(HttpMethod.Post, $"containers/{id}/start", null, "start", cancellationToken).ConfigureAwait(false);
        // A failed start leaves the created container, as the CLI's run does: its id is in the answer, for a caller that removes it.
        return started is HttpStatusCode.NoContent or HttpStatusCode.NotModified ? new ContainerCommandResult(0, id + "\n", string.Empty) : Failed(started, startBody) with { StandardOutput = id + "\n" };
    }

    /// <summary>Stops a container (its stop signal, then SIGKILL after <paramref name="seconds"/>), as <c>docker stop -t</c>.</summary>
    public async Task<ContainerCommandResult> StopAsync(string container, int seconds, CancellationToken cancellationToken = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(container)}/stop?t={seconds}", null, "stop", cancellationToken).ConfigureAwait(false);
        return status is HttpStatusCode.NoContent or HttpStatusCode.NotModified ? new ContainerCommandResult(0, container, string.Empty) : Failed(status, body);
    }

    /// <summary>Removes a container and its anonymous volumes, running or not, as <c>docker rm -f -v</c>.</summary>
    public async Task<ContainerCommandResult> RemoveAsync(string container, CancellationToken cancellationToken = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Delete, $"containers/{Uri.EscapeDataString(container)}?force=true&v=true", null, "rm", cancellationToken).ConfigureAwait(false);
        return status == HttpStatusCode.NoContent ? new ContainerCommandResult(0, container, string.Empty) : Failed(status, body);
    }

    /// <summary>Waits for a container to stop, as <c>docker wait</c>; returns its exit code, or <see langword="null"/> when the engine no longer knows it.</summary>
    public async Task<int?> WaitAsync(string container, CancellationToken cancellationToken = default)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(container)}/wait", null, "wait", cancellationToken).ConfigureAwait(false);
        return status == HttpStatusCode.OK && JsonNode.Parse(body)?["StatusCode"] is { } code ? code.GetValue<int>() : null;
    }

    /// <summary>
    /// Follows a container's output (<c>docker logs -f</c>) line by line into <paramref name="onLine"/> (<see langword="true"/> for
    /// stderr) until the container stops or <paramref name="cancellationToken"/> ends. The stream of a container without a TTY (all of
    /// the stack's) is multiplexed: each frame has an 8-byte header (stream, 3 zero bytes, big-endian length).
    /// </summary>
    public async Task FollowLogsAsync(string container, Action<string, bool> onLine, CancellationToken cancellationToken)
    {
        var prefix = await VersionPrefixAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{prefix}containers/{Uri.EscapeDataString(container)}/logs?follow=true&stdout=true&stderr=true");
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseHeadersRead, "logs", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return; // gone already: the exit watcher asks 'wait'
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var header = new byte[8];
            var stdout = new LineSplitter(line => onLine(line, false));
            var stderr = new LineSplitter(line => onLine(line, true));
            var buffer = new byte[16 * 1024];
            try
            {
                while (await stream.ReadAtLeastAsync(header, 8, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == 8)
                {
                    var target = header[0] == 2 ? stderr : stdout;
                    var remaining = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                    while (remaining > 0)
                    {
                        var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }

                        target.Append(buffer.AsSpan(0, read));
                        remaining -= read;
                    }
                }
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // The daemon closed the stream (it restarted): the exit watcher asks 'wait'.
            }
            finally
            {
                stdout.Flush();
                stderr.Flush();
            }
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends one call and reads its whole answer; throws with the socket and the fix when the daemon cannot be reached.</summary>
    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, JsonObject? json, string verb, CancellationToken cancellationToken)
    {
        var prefix = await VersionPrefixAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, prefix + path);
        if (json is not null)
        {
            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var milestone = StartupTimeline.IsRecording ? $"docker {verb} (API)" : null;
        if (milestone is not null)
        {
            StartupTimeline.Mark($"{milestone}: called");
        }

        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, verb, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (milestone is not null)
        {
            StartupTimeline.Mark($"{milestone}: {(response.IsSuccessStatusCode ? "answered" : $"answered {(int)response.StatusCode}")}");
        }

        return (response.StatusCode, body);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, HttpCompletionOption completion, string verb, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(verb, ex);
        }
    }

    /// <summary>
    /// The API version to speak: the daemon's own (<c>/_ping</c>'s <c>API-Version</c>), as the CLI negotiates it, so that a newer
    /// daemon that dropped old versions and an older one both answer. The ping is also the probe that the daemon answers.
    /// </summary>
    private Task<string> VersionPrefixAsync(CancellationToken cancellationToken)
    {
        var version = Volatile.Read(ref _version);
        if (version is null || version.IsFaulted || version.IsCanceled)
        {
            // Asked again after a failure: the daemon may have come back.
            var asking = NegotiateAsync();
            version = Interlocked.CompareExchange(ref _version, asking, version) == version ? asking : Volatile.Read(ref _version)!;
        }

        return version.WaitAsync(cancellationToken);
    }

    private async Task<string> NegotiateAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "_ping");
        using var response = await SendCoreAsync(request, HttpCompletionOption.ResponseContentRead, "ping", CancellationToken.None).ConfigureAwait(false);
        return response.Headers.TryGetValues("API-Version", out var versions) && versions.FirstOrDefault() is { Length: > 0 } version
            ? $"v{version}/"
            : string.Empty; // an old daemon without the header: unversioned paths
    }

    private DistributedApplicationException Unreachable(string verb, Exception ex) => new(
        $"Docker Engine's API socket '{SocketPath}' ({Source}) could not be reached for '{verb}': {(ex.InnerException ?? ex).Message}. " +
        "Start Docker (e.g. 'systemctl start docker'), or point DOCKER_HOST at the socket its daemon listens on (unset, the CLI's default is unix:///var/run/docker.sock).",
        ex);

    private static DistributedApplicationException Unexpected(string verb, HttpStatusCode status, string body) =>
        new($"Docker Engine answered '{verb}' with {(int)status}: {Message(body)}. Check 'docker info' and the daemon's log.");

    private static ContainerCommandResult Failed(HttpStatusCode status, string body) => new(125, string.Empty, $"Error response from daemon: {Message(body)} (HTTP {(int)status})");

    /// <summary>The daemon's error message (<c>{"message": ...}</c>), or the body as it came.</summary>
    private static string Message(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body.Trim();
        }
        catch (JsonException)
        {
            return body.Trim();
        }
    }
}
