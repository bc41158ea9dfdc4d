using System.Collections.Concurrent;
using System.Diagnostics;
using StackModel.MigrationRunner.Diagnostics;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// Listens, in-process, to the runner's <see cref="System.Diagnostics.ActivitySource"/> and Npgsql's, as the OpenTelemetry
/// SDK does in the runner process, and keeps every span that ends.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RunnerTelemetry.Name or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets the spans of one trace (tests in other classes may run runners at the same time).</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => [.. _stopped.Where(span => span.TraceId == traceId).OrderBy(span => span.StartTimeUtc)];

    /// <summary>Gets the one run span that ended since this recorder started and has no recorded parent.</summary>
    public Activity Run() => Assert.Single(_stopped, span => span.Source.Name == RunnerTelemetry.Name && span.OperationName == "migrate");

    public void Dispose() => _listener.Dispose();
}
