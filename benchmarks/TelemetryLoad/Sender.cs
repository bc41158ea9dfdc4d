using System.Diagnostics;
using System.Net.Http.Headers;

namespace StackModel.Benchmarks.TelemetryLoad;

/// <summary>Posts captured OTLP bodies to the receiver, as exporters do (http/protobuf with the key header).</summary>
internal static class Sender
{
    public static async Task<(long Items, long Failed, TimeSpan Elapsed)> RunAsync(AppHostUnderLoad apphost, string path, IReadOnlyList<Payload> payloads, int senders, TimeSpan duration)
    {
        using var http = Client(apphost);
        long items = 0, failed = 0, next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < duration)
            {
                var payload = payloads[(int)(Interlocked.Increment(ref next) % payloads.Count)];
                if (await PostAsync(http, path, payload))
                {
                    Interlocked.Add(ref items, payload.Items);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        return (items, failed, watch.Elapsed);
    }

    public static async Task SendAllAsync(AppHostUnderLoad apphost, string path, IReadOnlyList<Payload> payloads)
    {
        using var http = Client(apphost);
        foreach (var payload in payloads)
        {
            if (!await PostAsync(http, path, payload))
            {
                throw new InvalidOperationException($"POST {path} was refused.");
            }
        }
    }

    private static HttpClient Client(AppHostUnderLoad apphost)
    {
        var http = new HttpClient { BaseAddress = apphost.OtlpEndpoint, Timeout = TimeSpan.FromSeconds(30) };
        var separator = apphost.OtlpHeader.IndexOf('=', StringComparison.Ordinal);
        http.DefaultRequestHeaders.Add(apphost.OtlpHeader[..separator], apphost.OtlpHeader[(separator + 1)..]);
        return http;
    }

    private static async Task<bool> PostAsync(HttpClient http, string path, Payload payload)
    {
        using var content = new ByteArrayContent(payload.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await http.PostAsync(path, content);
        return response.IsSuccessStatusCode;
    }
}
