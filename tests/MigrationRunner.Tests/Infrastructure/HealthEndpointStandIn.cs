using System.Net;
using System.Net.Sockets;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// Stands in for LiteLLM's <c>GET /health/liveliness</c> (LiteLLM itself cannot be installed here): answers 503 to the
/// first <c>unhealthyAnswers</c> requests (with <c>unhealthyBody</c>, "starting" by default), then 200 "I'm alive!" as LiteLLM does.
/// </summary>
public sealed class HealthEndpointStandIn : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _unhealthyAnswers;
    private readonly byte[] _unhealthyBody;
    private readonly Task _loop;
    private int _requests;

    public HealthEndpointStandIn(int unhealthyAnswers, string unhealthyBody = "\"starting\"")
    {
        _unhealthyAnswers = unhealthyAnswers;
        _unhealthyBody = System.Text.Encoding.UTF8.GetBytes(unhealthyBody);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = ServeAsync();
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/health/liveliness");

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var healthy = Interlocked.Increment(ref _requests) > _unhealthyAnswers;
            context.Response.StatusCode = healthy ? 200 : 503;
            var body = healthy ? "\"I'm alive!\""u8.ToArray() : _unhealthyBody;
            try
            {
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The runner gave up on this probe (its deadline passed, or it exited) while the answer was being written, as a
                // client of LiteLLM may: LiteLLM goes on serving, and so does the stand-in.
                context.Response.Abort();
            }
        }
    }
}
