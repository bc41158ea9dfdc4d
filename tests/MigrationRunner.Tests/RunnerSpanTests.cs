using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackModel.MigrationRunner.Diagnostics;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>
/// The runner's telemetry, caught in-process the way the OpenTelemetry SDK catches it in the runner process (an
/// <see cref="ActivityListener"/> on the runner's source and Npgsql's; a logger that reads the current span), while the
/// real worker migrates a real database: one run span, one child per applied migration with its file, hash and statement
/// count, Npgsql's spans beneath, Error status and an exception event on a failure, log lines linked to their spans.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RunnerSpanTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task A_run_is_one_span_with_a_child_span_per_applied_migration_carrying_its_file_hash_and_statement_count_and_npgsqls_spans_beneath()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);")
            .Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer);", "CREATE INDEX \"orders_user\" ON \"orders\" (\"user_id\");")
            .Add("0002_hand_written", "CREATE TABLE \"notes\" (\"id\" integer PRIMARY KEY); CREATE TABLE \"tags\" (\"id\" integer PRIMARY KEY);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        using var spans = new SpanRecorder();

        var (result, _) = await RunWorkerAsync(database, folder.Path, timeout.Token);

        Assert.True(result.Successful, result.Error?.ToString());
        var run = spans.Run();
        var trace = spans.Trace(run.TraceId);
        Assert.Equal("migrate app_dev", run.DisplayName);
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        Assert.Equal(0, run.GetTagItem(RunnerTelemetry.ExitCodeAttribute));
        Assert.Equal(3, run.GetTagItem("migration.applied"));
        Assert.Single(trace, span => span.DisplayName == "wait for start gate and dependencies" && span.ParentSpanId == run.SpanId);

        var applied = trace.Where(span => span.Source.Name == RunnerTelemetry.Name && span.OperationName.StartsWith("apply ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["apply 0000_users", "apply 0001_orders", "apply 0002_hand_written"], applied.Select(span => span.DisplayName));
        foreach (var (span, tag, statements) in new[] { (applied[0], "0000_users", 1), (applied[1], "0001_orders", 2), (applied[2], "0002_hand_written", 1) })
        {
            Assert.Equal(run.SpanId, span.ParentSpanId);
            Assert.Equal(tag, span.GetTagItem(RunnerTelemetry.TagAttribute));
            Assert.Equal(folder.SqlPath(tag), span.GetTagItem(RunnerTelemetry.FileAttribute));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(folder.SqlPath(tag), timeout.Token))), span.GetTagItem(RunnerTelemetry.HashAttribute));
            Assert.Equal(statements, span.GetTagItem(RunnerTelemetry.StatementsAttribute));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.True(span.Duration > TimeSpan.Zero);
            Assert.InRange(span.StartTimeUtc, run.StartTimeUtc, run.StartTimeUtc + run.Duration);
            Assert.InRange(span.StartTimeUtc + span.Duration, run.StartTimeUtc, run.StartTimeUtc + run.Duration);
        }

        // The two drizzle-kit-shaped files went to the server together: one after the other by the server's clock, and
        // Npgsql's one span of that batch, with both files' statements, beneath the run.
        Assert.True(applied[0].StartTimeUtc + applied[0].Duration <= applied[1].StartTimeUtc, "the second file's statements ran after the first's");
        var batch = Assert.Single(trace, span => span.Source.Name == "Npgsql" && span.ParentSpanId == run.SpanId && QueryText(span).Contains("CREATE INDEX \"orders_user\"", StringComparison.Ordinal));
        Assert.Contains("CREATE TABLE \"users\"", QueryText(batch), StringComparison.Ordinal);
        Assert.Equal(database.Name, batch.GetTagItem("db.namespace") ?? batch.GetTagItem("db.name"));

        // A hand-written file goes statement by statement, as drizzle sends it: Npgsql's span beneath the migration's own.
        var handWritten = Assert.Single(trace, child => child.Source.Name == "Npgsql" && child.ParentSpanId == applied[2].SpanId && QueryText(child).Contains("\"notes\"", StringComparison.Ordinal));
        Assert.Equal(database.Name, handWritten.GetTagItem("db.namespace") ?? handWritten.GetTagItem("db.name"));

        // The queries before the migrations (target, lock, history) are Npgsql spans of the run itself.
        Assert.Contains(trace, span => span.Source.Name == "Npgsql" && span.ParentSpanId == run.SpanId && QueryText(span).Contains("current_database()", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task A_failing_migration_gets_error_status_with_the_message_and_an_exception_event_and_so_does_the_run()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);")
            .Add("0001_broken", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY);", "ALTER TABLE \"owners\" ADD COLUMN \"x\" integer;");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        using var spans = new SpanRecorder();

        var (result, logs) = await RunWorkerAsync(database, folder.Path, timeout.Token);

        Assert.Equal(MigrationExitCode.MigrationFailed, result.ExitCode);
        var run = spans.Run();
        var trace = spans.Trace(run.TraceId);
        var good = Assert.Single(trace, span => span.DisplayName == "apply 0000_users");
        var broken = Assert.Single(trace, span => span.DisplayName == "apply 0001_broken");
        Assert.Equal(ActivityStatusCode.Unset, good.Status);
        Assert.Equal(ActivityStatusCode.Error, broken.Status);
        Assert.Contains("Migration \"0001_broken\" failed at statement 2 of 2", broken.StatusDescription, StringComparison.Ordinal);
        Assert.Contains("42P01", broken.StatusDescription, StringComparison.Ordinal);
        var exception = Assert.Single(broken.Events, e => e.Name == "exception");
        Assert.Equal(typeof(MigrationException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal(broken.StatusDescription, exception.Tags.Single(t => t.Key == "exception.message").Value);

        // Npgsql's span of the batch that carried the failed statement is beneath the run (Npgsql ends it when the first
        // answer arrives, so its status says nothing about a later statement: the migration's span and the run's do).
        Assert.Contains(trace, span => span.Source.Name == "Npgsql" && span.ParentSpanId == run.SpanId && QueryText(span).Contains("\"owners\"", StringComparison.Ordinal));

        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(broken.StatusDescription, run.StatusDescription);
        Assert.Equal((int)MigrationExitCode.MigrationFailed, run.GetTagItem(RunnerTelemetry.ExitCodeAttribute));
        Assert.Equal("0001_broken", run.GetTagItem(RunnerTelemetry.TagAttribute));
        Assert.Single(run.Events, e => e.Name == "exception");

        // The error line the dashboard filters on is linked to the run.
        var stopped = Assert.Single(logs, log => log.EventId == 901);
        Assert.Equal(LogLevel.Error, stopped.Level);
        Assert.Equal(run.TraceId, stopped.TraceId);
        Assert.Equal(run.SpanId, stopped.SpanId);
    }

    [PostgresFact]
    public async Task Each_log_line_of_a_run_carries_the_trace_and_span_ids_of_the_span_it_was_written_in()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);")
            .Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        using var spans = new SpanRecorder();

        var (result, logs) = await RunWorkerAsync(database, folder.Path, timeout.Token);

        Assert.True(result.Successful, result.Error?.ToString());
        var run = spans.Run();
        var trace = spans.Trace(run.TraceId);
        Assert.NotEmpty(logs);
        Assert.All(logs, log => Assert.Equal(run.TraceId, log.TraceId));

        var applying = logs.Where(log => log.EventId == 303).ToList(); // "Applying {MigrationTag} ..."
        Assert.Equal(2, applying.Count);
        foreach (var (log, tag) in applying.Zip(["0000_users", "0001_orders"]))
        {
            Assert.Contains(tag, log.Message, StringComparison.Ordinal);
            Assert.Equal(Assert.Single(trace, span => span.DisplayName == "apply " + tag).SpanId, log.SpanId);
        }

        Assert.Equal(run.SpanId, Assert.Single(logs, log => log.EventId == 305).SpanId); // both files sent in one batch
        Assert.Equal(run.SpanId, Assert.Single(logs, log => log.EventId == 300).SpanId); // target verified
        Assert.Equal(run.SpanId, Assert.Single(logs, log => log.EventId == 900).SpanId); // up to date
        Assert.Equal(Assert.Single(trace, span => span.DisplayName.StartsWith("wait", StringComparison.Ordinal)).SpanId, Assert.Single(logs, log => log.EventId == 100).SpanId);
    }

    private static string QueryText(Activity span) => (span.GetTagItem("db.query.text") ?? span.GetTagItem("db.statement")) as string ?? string.Empty;

    /// <summary>Runs the real worker in-process, configured as the AppHost configures the runner process.</summary>
    private static async Task<(MigrationResult Result, IReadOnlyList<RecordedLog> Logs)> RunWorkerAsync(TestDatabase database, string folder, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:app_dev"] = database.ConnectionString,
                ["Migrations:Path"] = folder,
                ["Migrations:ExpectedDatabase"] = database.Name,
                ["Migrations:ExpectedServerPort"] = database.Port.ToString(CultureInfo.InvariantCulture),
            })
            .Build();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var services = new ServiceCollection().AddSingleton(dataSource).BuildServiceProvider();
        using var logs = new SpanLinkedLogProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var worker = new MigrationWorker(configuration, services, loggerFactory, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
        var result = await worker.RunAsync(cancellationToken);
        return (result, logs.Logs);
    }
}
