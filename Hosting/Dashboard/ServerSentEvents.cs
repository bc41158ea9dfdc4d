using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StackModel.Hosting.Dashboard;

/// <summary>Writes <c>text/event-stream</c> responses: one JSON payload per event, flushed at once.</summary>
internal static class ServerSentEvents
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task BeginAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteAsync<T>(HttpResponse response, string eventName, T payload, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(payload, Json);
        var text = $"event: {eventName}\ndata: {json}\n\n";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
