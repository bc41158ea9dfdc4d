using System.Diagnostics;
using System.Diagnostics.Metrics;
using StackModel.MigrationRunner.Folders;

namespace StackModel.MigrationRunner.Diagnostics;

/// <summary>
/// The runner's own spans and instruments. The source and the meter are named like the assembly, which is the host's
/// application name: ServiceDefaults registers both under that name (<c>AddSource</c> / <c>AddMeter</c>), as Aspire's
/// template does, so they are exported over OTLP with Npgsql's spans (source <c>Npgsql</c>) beneath them.
/// </summary>
/// <remarks>
/// A run is one span (<c>migrate &lt;connection&gt;</c>) with a child span for the wait at the start gate and for
/// LiteLLM, and one child span per applied migration (<c>apply &lt;tag&gt;</c>), whose duration is the time its
/// statements took (they commit together, in one transaction, at the end of the run). drizzle-kit-shaped files go to the
/// server together, in one Npgsql batch (one Npgsql span beneath the run): their spans are placed by the server's clock,
/// which each file's history row answers, and recorded as the answers arrive. Log lines written while a span is current
/// carry its trace and span ids. Everything is a no-op when nothing listens.
/// </remarks>
internal static class RunnerTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "StackModel.MigrationRunner";

    /// <summary>The migration's tag (<c>0001_add_users</c>), or its folder in the 1.0 layout.</summary>
    public const string TagAttribute = "migration.tag";

    /// <summary>The full path of the migration's SQL file.</summary>
    public const string FileAttribute = "migration.file";

    /// <summary>SHA-256 of the file, as stored in the history.</summary>
    public const string HashAttribute = "migration.hash";

    /// <summary>The number of statements the file splits into.</summary>
    public const string StatementsAttribute = "migration.statements";

    /// <summary>The runner's exit code, on the run span.</summary>
    public const string ExitCodeAttribute = "process.exit.code";

    public static readonly ActivitySource Source = new(Name, typeof(RunnerTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(RunnerTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> AppliedCounter = Meter.CreateCounter<long>(
        "migrations.applied", "{migration}", "Migrations applied and committed");

    private static readonly Histogram<double> DurationHistogram = Meter.CreateHistogram(
        "migrations.duration",
        "s",
        "Time one migration's statements took",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Starts the run's span; <see langword="null"/> when nothing listens.</summary>
    public static Activity? StartRun() => Source.StartActivity("migrate", ActivityKind.Internal);

    /// <summary>Names the run after the connection it migrates, once the settings are read.</summary>
    public static void Describe(Activity? run, string connectionName, string migrationsPath)
    {
        if (run is null)
        {
            return;
        }

        run.DisplayName = "migrate " + connectionName;
        run.SetTag("migration.connection", connectionName);
        run.SetTag("migration.folder", migrationsPath);
    }

    /// <summary>Starts the span of the wait before the first connection (start gate, then LiteLLM's health).</summary>
    public static Activity? StartWait() => Source.StartActivity("wait for start gate and dependencies", ActivityKind.Internal);

    /// <summary>Starts the span of one migration, with its tag, file, hash and statement count.</summary>
    public static Activity? StartMigration(MigrationScript script) => StartMigration(script, startTime: default);

    /// <summary>
    /// Starts the span of one migration at <paramref name="startTime"/> (UTC; now when default): a migration that went to the
    /// server in a batch with others is recorded once its answer arrived, at the time the server ran it.
    /// </summary>
    public static Activity? StartMigration(MigrationScript script, DateTime startTime)
    {
        ArgumentNullException.ThrowIfNull(script);
        var span = startTime == default
            ? Source.StartActivity("apply " + script.Name, ActivityKind.Internal)
            : Source.StartActivity("apply " + script.Name, ActivityKind.Internal, parentContext: default, startTime: new DateTimeOffset(startTime, TimeSpan.Zero));
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(TagAttribute, script.Name);
            span.SetTag(FileAttribute, script.FilePath);
            span.SetTag(HashAttribute, script.Hash);
            span.SetTag(StatementsAttribute, script.Statements.Count);
        }

        return span;
    }

    /// <summary>Ends one migration's span (at <paramref name="endTime"/>, UTC, when given): records its duration, or the error that stopped it.</summary>
    public static void EndMigration(Activity? span, MigrationScript script, TimeSpan elapsed, Exception? error, DateTime? endTime = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (endTime is { } end)
        {
            span?.SetEndTime(end);
        }

        if (error is not null)
        {
            Fail(span, error);
        }
        else
        {
            DurationHistogram.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TagAttribute, script.Name));
        }

        span?.Stop();
    }

    /// <summary>Puts the run's outcome on its span: counts, exit code, and Error status with an exception event when it failed.</summary>
    public static void EndRun(Activity? run, MigrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Successful && result.Scripts.Count > 0)
        {
            AppliedCounter.Add(result.Scripts.Count);
        }

        if (run is null)
        {
            return;
        }

        run.SetTag("migration.applied", result.Scripts.Count);
        run.SetTag(ExitCodeAttribute, (int)result.ExitCode);
        if (result.ErrorScript is { } script)
        {
            run.SetTag(TagAttribute, script.Name);
        }

        if (result.Error is { } error)
        {
            Fail(run, error);
        }

        run.Stop();
    }

    private static void Fail(Activity? span, Exception error)
    {
        if (span is null)
        {
            return;
        }

        span.SetStatus(ActivityStatusCode.Error, error.Message);
        span.AddException(error);
    }
}
