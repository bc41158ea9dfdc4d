using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Telemetry.Otlp.Collector;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// Serves OTLP/HTTP with protobuf bodies: <c>POST /v1/logs</c>, <c>/v1/traces</c>, <c>/v1/metrics</c>. A request is checked in full
/// before anything is stored: without the key 401, not protobuf 415, too large 413, unreadable 400; none of them touches what
/// the store holds.
/// </summary>
internal sealed partial class OtlpRequestHandler(TelemetryStore store, OtlpApiKey key, ILogger logger)
{
    private const string Protobuf = "application/x-protobuf";

    private int _warnedRejections;

    public async Task HandleAsync(HttpContext http, TelemetryKind kind)
    {
        ArgumentNullException.ThrowIfNull(http);
        var request = http.Request;
        if (!key.Matches(request.Headers[OtlpApiKey.HeaderName].ToString()))
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                $"The OTLP receiver needs the {OtlpApiKey.HeaderName} header with this run's key. The AppHost gives it to the stack's processes in OTEL_EXPORTER_OTLP_HEADERS; send it the same way.").ConfigureAwait(false);
            return;
        }

        var contentType = request.ContentType ?? string.Empty;
        if (!contentType.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(http, StatusCodes.Status415UnsupportedMediaType,
                $"The OTLP receiver reads {Protobuf} bodies only (OTLP/HTTP with protobuf), got '{contentType}'. Set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.").ConfigureAwait(false);
            return;
        }

        var limit = store.Options.MaxRequestBytes;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(http, limit).ConfigureAwait(false);
        }
        catch (TooLargeException)
        {
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge,
                $"The OTLP request body is larger than {limit} bytes (Dashboard:Telemetry:MaxRequestBytes). Export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE) or raise the limit.").ConfigureAwait(false);
            return;
        }
        catch (InvalidDataException ex)
        {
            await RefuseAsync(http, StatusCodes.Status400BadRequest, $"The OTLP request body is not valid gzip: {ex.Message}").ConfigureAwait(false);
            return;
        }

        int rejected;
        IMessage response;
        try
        {
            switch (kind)
            {
                case TelemetryKind.Logs:
                    var (logs, rejectedLogs) = OtlpConverter.Convert(ExportLogsServiceRequest.Parser.ParseFrom(body));
                    store.AddLogs(logs);
                    rejected = rejectedLogs;
                    response = new ExportLogsServiceResponse { PartialSuccess = rejected == 0 ? null : new ExportLogsPartialSuccess { RejectedLogRecords = rejected, ErrorMessage = RejectionMessage } };
                    break;
                case TelemetryKind.Traces:
                    var (spans, rejectedSpans) = OtlpConverter.Convert(ExportTraceServiceRequest.Parser.ParseFrom(body));
                    store.AddSpans(spans);
                    rejected = rejectedSpans;
                    response = new ExportTraceServiceResponse { PartialSuccess = rejected == 0 ? null : new ExportTracePartialSuccess { RejectedSpans = rejected, ErrorMessage = RejectionMessage } };
                    break;
                default:
                    var (points, rejectedPoints) = OtlpConverter.Convert(ExportMetricsServiceRequest.Parser.ParseFrom(body));
                    store.AddMetricPoints(points);
                    rejected = rejectedPoints;
                    response = new ExportMetricsServiceResponse { PartialSuccess = rejected == 0 ? null : new ExportMetricsPartialSuccess { RejectedDataPoints = rejected, ErrorMessage = RejectionMessage } };
                    break;
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            await RefuseAsync(http, StatusCodes.Status400BadRequest,
                $"The body of POST {request.Path} is not an OTLP {kind.ToString().ToLowerInvariant()} export request in protobuf ({ex.Message}). Nothing of it was stored.").ConfigureAwait(false);
            return;
        }

        if (rejected > 0 && Interlocked.Exchange(ref _warnedRejections, 1) == 0)
        {
            LogRejected(logger, rejected, kind.ToString().ToLowerInvariant());
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = Protobuf;
        await http.Response.Body.WriteAsync(response.ToByteArray(), http.RequestAborted).ConfigureAwait(false);
    }

    private const string RejectionMessage =
        "Items with a trace or span id of the wrong length, exponential histograms and summaries are not stored by the StackModel AppHost.";

    private static async Task<byte[]> ReadBodyAsync(HttpContext http, int limit)
    {
        if (http.Request.ContentLength > limit)
        {
            throw new TooLargeException();
        }

        // The limit is counted here (after decompression), not by Kestrel: a body that is too large gets this handler's 413 and
        // its reason, and reading stops at the limit.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var gzip = string.Equals(http.Request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase);
        var source = gzip ? new GZipStream(http.Request.Body, CompressionMode.Decompress, leaveOpen: true) : http.Request.Body;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new TooLargeException();
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message, http.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = LogEvents.OtlpItemsRejected, Level = LogLevel.Warning, Message = "OTLP receiver: {Count} {Kind} item(s) of one request were not stored (wrong id length, or an exponential histogram or summary); later rejections are not logged")]
    private static partial void LogRejected(ILogger logger, int count, string kind);

    private sealed class TooLargeException : Exception
    {
    }
}
