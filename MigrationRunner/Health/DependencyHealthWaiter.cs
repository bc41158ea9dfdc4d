using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using StackModel.MigrationRunner.Logging;

namespace StackModel.MigrationRunner.Health;

/// <summary>
/// Waits, with a bounded timeout and one log line per attempt, until GET on a health URL answers 200
/// (LiteLLM's <c>/health/liveliness</c>), before the runner touches the database.
/// </summary>
internal sealed class DependencyHealthWaiter(ILogger logger)
{
    /// <summary>The longest a single probe may take.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The pause between two probes.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How much of a non-200 answer's body the log and the final message quote.</summary>
    public const int QuotedBodyLength = 120;

    /// <summary>Returns once the URL answers 200; throws <see cref="MigrationException"/> (<see cref="MigrationExitCode.DependencyNotHealthy"/>) after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(Uri healthUrl, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(healthUrl);
        logger.WaitingForDependency(healthUrl, timeout.TotalSeconds);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var stopwatch = Stopwatch.StartNew();
        var attempt = 0;
        string? lastAnswer = null; // the last thing the URL actually said (a status and body, or a connection error)
        while (true)
        {
            attempt++;
            string outcome;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
            {
                attemptTimeout.CancelAfter(AttemptTimeout);
                try
                {
                    using var response = await http.GetAsync(healthUrl, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        logger.DependencyHealthy(attempt, healthUrl, stopwatch.Elapsed.TotalSeconds);
                        return;
                    }

                    outcome = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{await QuoteBodyAsync(response, attemptTimeout.Token).ConfigureAwait(false)}";
                    lastAnswer = outcome;
                }
                catch (HttpRequestException ex)
                {
                    outcome = ex.Message;
                    lastAnswer = outcome;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    outcome = deadline.IsCancellationRequested
                        ? "no answer before the deadline"
                        : $"no answer within {AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
                }
            }

            logger.DependencyProbeFailed(attempt, healthUrl, outcome, stopwatch.Elapsed.TotalSeconds);
            try
            {
                await Task.Delay(RetryDelay, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var last = lastAnswer is null
                    ? $"no answer at all; last probe: {outcome}"
                    : lastAnswer == outcome ? $"last answer: {lastAnswer}" : $"last answer: {lastAnswer}; last probe: {outcome}";
                throw new MigrationException(
                    MigrationExitCode.DependencyNotHealthy,
                    $"GET {healthUrl} did not answer 200 within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({attempt} attempt(s); {last}). " +
                    "The database was not touched. Fix: check the LiteLLM resource's log in the AppHost dashboard, or raise Migrations:WaitTimeout if it is only slow to start.");
            }
        }
    }

    // A short, one-line quote of a non-200 answer's body (LiteLLM says there why it is unhealthy), read up to 1 KiB only.
    private static async Task<string> QuoteBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        var length = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            // The status is the answer; a body that cannot be read in time is left out.
        }

        var body = string.Join(' ', Encoding.UTF8.GetString(buffer, 0, length).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (body.Length == 0)
        {
            return ", empty body";
        }

        return body.Length <= QuotedBodyLength
            ? $", body: {body}"
            : $", body: {body.AsSpan(0, QuotedBodyLength - 3)}...";
    }
}
