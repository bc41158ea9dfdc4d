using System.Diagnostics;
using System.Globalization;
using System.Net;
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

                    outcome = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                }
                catch (HttpRequestException ex)
                {
                    outcome = ex.Message;
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
                throw new MigrationException(
                    MigrationExitCode.DependencyNotHealthy,
                    $"GET {healthUrl} did not answer 200 within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({attempt} attempt(s); last: {outcome}). " +
                    "The database was not touched. Fix: check the LiteLLM resource's log in the AppHost dashboard, or raise Migrations:WaitTimeout if it is only slow to start.");
            }
        }
    }
}
