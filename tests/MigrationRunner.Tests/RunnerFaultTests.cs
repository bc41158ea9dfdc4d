using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using StackModel.MigrationRunner.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.MigrationRunner.Tests;

/// <summary>
/// Faults the runner meets in real use, each against real PostgreSQL and the real runner process: a full disk, one bad
/// migration among 200, a LiteLLM that never becomes healthy. Each prints the figures README's reliability table quotes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RunnerFaultTests(PostgresServerFixture server, ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [RequiresTmpfsFact]
    public async Task A_disk_that_fills_during_a_migration_fails_with_postgresqls_disk_full_error_rolls_back_and_the_next_run_after_space_is_freed_migrates()
    {
        if (TmpfsCluster.MissingInfrastructure() is { } missing)
        {
            Assert.Fail($"CI=true and this machine cannot mount the test's tmpfs: {missing}");
        }

        using var timeout = RunnerTimeouts.ForTest();
        const long tmpfsSize = 160 * MiB;
        const long leftFree = 8 * MiB;
        using var folder = new MigrationFolderBuilder()
            .Add(UsersMigration.Tag, UsersMigration.Sql)
            .Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer);")
            .Add(
                "0002_ledger_archive",
                "CREATE TABLE \"ledger_archive\" (\"id\" integer, \"payload\" text);",
                // About 18 MiB of rows: more than the 8 MiB left free, well inside one WAL segment's worth of log for the 8 MiB that fit.
                "INSERT INTO \"ledger_archive\" SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 16000) AS g;");
        using var firstOnly = new MigrationFolderBuilder().Add(UsersMigration.Tag, UsersMigration.Sql);
        await using var cluster = await TmpfsCluster.StartAsync(tmpfsSize, "app_dev", timeout.Token);
        var environment = RunnerEnvironment(cluster);

        // The history holds one applied migration before the disk fills.
        var setup = await RunnerProcess.RunAsync(With(environment, "Migrations__Path", firstOnly.Path), timeout.Token);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var historyBefore = await HistoryAsync(cluster, timeout.Token);
        Assert.Single(historyBefore);

        // A fresh WAL segment, so the file that cannot grow is a table's (ERROR 53100, the server stays up). When the WAL
        // itself cannot grow, PostgreSQL PANICs instead and stays down until it has room (README's reliability table says so).
        var walOffset = await cluster.StartFreshWalSegmentAsync(timeout.Token);
        Assert.True(walOffset < 4 * MiB, $"WAL insert position {walOffset} bytes into its segment: the test needs a fresh segment.");
        await cluster.FillLeavingAsync(leftFree, timeout.Token);
        var freeBefore = cluster.AvailableBytes;

        var (failed, timeToFail, peakWritten) = await RunWatchingDiskAsync(cluster, With(environment, "Migrations__Path", folder.Path), timeout.Token);

        Assert.True(failed.ExitCode == (int)MigrationExitCode.MigrationFailed, failed + ServerLogTail(cluster));
        Assert.Contains("53100", failed.Output, StringComparison.Ordinal); // disk_full, PostgreSQL's own SQLSTATE
        Assert.Contains("could not extend file \"base/", failed.Output, StringComparison.Ordinal); // names the data file that could not grow
        Assert.Contains("No space left on device", failed.Output, StringComparison.Ordinal);
        Assert.Contains("Migration \"0002_ledger_archive\" failed at statement 2 of 2", failed.Output, StringComparison.Ordinal);
        Assert.Contains(folder.SqlPath("0002_ledger_archive"), failed.Output, StringComparison.Ordinal);
        Assert.Contains("rolled back", failed.Output, StringComparison.Ordinal);
        Assert.Contains("Fix: free space on that disk", failed.Output, StringComparison.Ordinal);

        // Rolled back: the history is exactly as before and neither pending migration left an object; the server is still up.
        Assert.True(await cluster.AcceptsConnectionsAsync(timeout.Token), ServerLogTail(cluster));
        Assert.Equal(historyBefore, await HistoryAsync(cluster, timeout.Token));
        Assert.False(await RelationExistsAsync(cluster, "orders", timeout.Token));
        Assert.False(await RelationExistsAsync(cluster, "ledger_archive", timeout.Token));
        var freeAfterRollback = cluster.AvailableBytes;

        // Space freed: the next run applies both pending migrations normally.
        cluster.RemoveFiller();
        var next = await RunnerProcess.RunAsync(With(environment, "Migrations__Path", folder.Path), timeout.Token);
        Assert.True(next.ExitCode == 0, next + ServerLogTail(cluster));
        Assert.Contains("2 migration(s) applied", next.Output, StringComparison.Ordinal);
        Assert.Equal(3, (await HistoryAsync(cluster, timeout.Token)).Count);
        Assert.Equal(16_000L, await ScalarAsync<long>(cluster, "SELECT count(*) FROM ledger_archive", timeout.Token));

        output.WriteLine(
            $"MEASURED disk full: tmpfs {tmpfsSize / MiB} MiB holding the whole cluster (data and WAL); {freeBefore:N0} bytes free before the run " +
            $"(WAL insert position {walOffset:N0} bytes into a fresh segment); the runner wrote {peakWritten:N0} bytes before PostgreSQL refused; " +
            $"{freeAfterRollback:N0} bytes free again after the rollback; first migration applied to failure {Between(failed, 303, 901).TotalSeconds:0.000} s (runner's own log), " +
            $"runner start to exit {timeToFail.TotalSeconds:0.000} s.");
    }

    [RequiresTmpfsFact]
    public async Task When_the_wal_cannot_grow_postgresql_stops_the_runner_reports_53100_and_after_space_is_freed_and_a_restart_the_next_run_migrates()
    {
        if (TmpfsCluster.MissingInfrastructure() is { } missing)
        {
            Assert.Fail($"CI=true and this machine cannot mount the test's tmpfs: {missing}");
        }

        using var timeout = RunnerTimeouts.ForTest();
        const long tmpfsSize = 160 * MiB;
        const long leftFree = 12 * MiB; // less than one 16 MiB WAL segment
        using var folder = new MigrationFolderBuilder()
            .Add(UsersMigration.Tag, UsersMigration.Sql)
            .Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer);")
            .Add(
                "0002_ledger_archive",
                "CREATE TABLE \"ledger_archive\" (\"id\" integer, \"payload\" text);",
                // 128 MiB of write-ahead log and hardly a new data page: more WAL than the segments PostgreSQL keeps for reuse, so it must create one.
                "SELECT pg_logical_emit_message(true, 'backfill', repeat('x', 1048576)) FROM generate_series(1, 128);");
        using var firstOnly = new MigrationFolderBuilder().Add(UsersMigration.Tag, UsersMigration.Sql);
        // The WAL writer's background flushes paused, so that the backend serving the runner is the one that meets the full
        // disk and answers with the error (53100); when the WAL writer meets it first, the runner gets 57P02 instead.
        await using var cluster = await TmpfsCluster.StartAsync(tmpfsSize, "app_dev", timeout.Token, "wal_writer_delay=10000");
        var environment = RunnerEnvironment(cluster);
        var setup = await RunnerProcess.RunAsync(With(environment, "Migrations__Path", firstOnly.Path), timeout.Token);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var historyBefore = await HistoryAsync(cluster, timeout.Token);
        await cluster.FillLeavingAsync(leftFree, timeout.Token);
        var freeBefore = cluster.AvailableBytes;

        var (failed, timeToFail, peakWritten) = await RunWatchingDiskAsync(cluster, With(environment, "Migrations__Path", folder.Path), timeout.Token);

        Assert.True(failed.ExitCode == (int)MigrationExitCode.MigrationFailed, failed + ServerLogTail(cluster));
        Assert.Contains("53100: could not write to file \"pg_wal/", failed.Output, StringComparison.Ordinal); // PostgreSQL's error, naming the WAL file
        Assert.Contains("No space left on device", failed.Output, StringComparison.Ordinal);
        Assert.Contains("0002_ledger_archive", failed.Output, StringComparison.Ordinal); // at its statement, or at the commit that flushes its WAL
        Assert.Contains("rolled back", failed.Output, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL answered PANIC", failed.Output, StringComparison.Ordinal);
        Assert.Contains("restart the postgres resource once the cause is fixed", failed.Output, StringComparison.Ordinal);
        Assert.Contains("Fix: free space on that disk", failed.Output, StringComparison.Ordinal);

        // PostgreSQL's crash recovery needs a new WAL segment too, finds no room, and shuts the server down.
        using (var gone = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token))
        {
            gone.CancelAfter(TimeSpan.FromSeconds(30));
            await cluster.WaitForServerGoneAsync(gone.Token);
        }

        // Space freed (the disk grown to 320 MiB) and the server started again: recovery rolls the transaction back; the history is as before.
        await cluster.ResizeAsync(320 * MiB, timeout.Token);
        await cluster.StartServerAsync(timeout.Token);
        Assert.Equal(historyBefore, await HistoryAsync(cluster, timeout.Token));
        Assert.False(await RelationExistsAsync(cluster, "orders", timeout.Token));
        Assert.False(await RelationExistsAsync(cluster, "ledger_archive", timeout.Token));
        var next = await RunnerProcess.RunAsync(With(environment, "Migrations__Path", folder.Path), timeout.Token);
        Assert.True(next.ExitCode == 0, next + ServerLogTail(cluster));
        Assert.Equal(3, (await HistoryAsync(cluster, timeout.Token)).Count);
        Assert.True(await RelationExistsAsync(cluster, "ledger_archive", timeout.Token));

        output.WriteLine(
            $"MEASURED WAL full: tmpfs {tmpfsSize / MiB} MiB holding the whole cluster; {freeBefore:N0} bytes free before the run; " +
            $"{peakWritten:N0} bytes written (WAL, sampled every 2 ms) before PostgreSQL PANICked; first migration applied to failure {Between(failed, 303, 901).TotalSeconds:0.000} s (runner's own log), " +
            $"runner start to exit {timeToFail.TotalSeconds:0.000} s.");
    }

    [PostgresFact]
    public async Task A_migration_that_fails_in_the_middle_of_200_applies_none_names_the_file_and_the_statement_and_exits_with_migration_failed()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder();
        const string failingStatement = "ALTER TABLE \"t_099\" ADD CONSTRAINT \"t_099_owner_fk\" FOREIGN KEY (\"owner_id\") REFERENCES \"owners\"(\"id\");";
        for (var i = 0; i < 200; i++)
        {
            var table = $"t_{i:000}";
            folder.Add(
                $"{i:0000}_{table}",
                $"CREATE TABLE \"{table}\" (\"id\" integer PRIMARY KEY, \"owner_id\" integer, \"name\" text);",
                i == 99 ? "\n  " + failingStatement + "\n" : $"CREATE INDEX \"{table}_name_idx\" ON \"{table}\" (\"name\");",
                $"ALTER TABLE \"{table}\" ADD COLUMN \"created_at\" timestamp DEFAULT now();");
        }

        var database = await server.CreateDatabaseAsync(timeout.Token);

        var stopwatch = Stopwatch.StartNew();
        var runner = await RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token);
        stopwatch.Stop();

        Assert.True(runner.ExitCode == (int)MigrationExitCode.MigrationFailed, runner.ToString());
        Assert.Equal(6, runner.ExitCode); // the code MigrationRunner/README.md documents for a failed statement
        Assert.Contains("Migration \"0099_t_099\" failed at statement 2 of 3", runner.Output, StringComparison.Ordinal);
        Assert.Contains(folder.SqlPath("0099_t_099"), runner.Output, StringComparison.Ordinal);
        Assert.Contains("42P01", runner.Output, StringComparison.Ordinal); // relation "owners" does not exist
        Assert.Contains("Statement: " + failingStatement + " Nothing was applied", runner.Output, StringComparison.Ordinal); // the text, trimmed
        Assert.Contains("exit code 6 (MigrationFailed)", runner.Output, StringComparison.Ordinal);

        // All-or-nothing, as drizzle: only drizzle's own (empty) history table, created outside the transaction as drizzle does.
        Assert.Equal(["drizzle.__drizzle_migrations", "drizzle.__drizzle_migrations_id_seq", "drizzle.__drizzle_migrations_pkey"], await database.RelationsAsync(timeout.Token));
        Assert.Empty(await database.HistoryAsync(timeout.Token));
        output.WriteLine(
            $"MEASURED 200 migrations, the 100th failing at statement 2: folder read to failure {Between(runner, 200, 901).TotalSeconds:0.000} s (runner's own log), " +
            $"runner start to exit {stopwatch.Elapsed.TotalSeconds:0.000} s.");
    }

    [PostgresFact]
    public async Task A_litellm_that_answers_503_until_the_timeout_ends_the_wait_with_the_url_and_its_last_answer_and_app_dev_is_untouched()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        await using var litellm = new HealthEndpointStandIn(unhealthyAnswers: int.MaxValue);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__WaitForHealthUrl"] = litellm.Url.ToString();
        environment["Migrations__WaitTimeout"] = "3";

        var stopwatch = Stopwatch.StartNew();
        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);
        stopwatch.Stop();

        Assert.True(runner.ExitCode == (int)MigrationExitCode.DependencyNotHealthy, runner.ToString());
        Assert.Contains($"GET {litellm.Url} did not answer 200 within 3 s", runner.Output, StringComparison.Ordinal);
        Assert.Contains("last answer: HTTP 503 Service Unavailable, body: \"starting\"", runner.Output, StringComparison.Ordinal);
        Assert.Contains("The database was not touched", runner.Output, StringComparison.Ordinal);
        Assert.True(litellm.Requests >= 2, $"{litellm.Requests} probe(s)");
        await AssertUntouchedAsync(database, timeout.Token);
        output.WriteLine(
            $"MEASURED LiteLLM answering 503, Migrations:WaitTimeout=3 s: wait start to failure {Between(runner, 101, 901).TotalSeconds:0.000} s (runner's own log), " +
            $"runner start to exit {stopwatch.Elapsed.TotalSeconds:0.000} s, {litellm.Requests} probes.");
    }

    [PostgresFact]
    public async Task A_long_multi_line_unhealthy_answer_is_quoted_on_one_line_and_cut_to_120_characters()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var page = "<html>\n  <body>\n    <h1>502 Bad Gateway</h1>\n" + string.Concat(Enumerable.Repeat("upstream litellm is starting; ", 40)) + "\n  </body>\n</html>\n";
        await using var litellm = new HealthEndpointStandIn(unhealthyAnswers: int.MaxValue, unhealthyBody: page);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__WaitForHealthUrl"] = litellm.Url.ToString();
        // Long enough for a first answer on a loaded machine: at 1 s the first probe of a runner still starting up sometimes
        // had no answer yet, and the message rightly said "no answer at all" instead of quoting one.
        environment["Migrations__WaitTimeout"] = "3";

        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.DependencyNotHealthy, runner.ToString());
        var quoted = "<html> <body> <h1>502 Bad Gateway</h1> upstream litellm is starting; upstream litellm is starting; upstream litellm i";
        Assert.Equal(117, quoted.Length);
        Assert.Contains($"last answer: HTTP 503 Service Unavailable, body: {quoted}...)", runner.Output, StringComparison.Ordinal);
        await AssertUntouchedAsync(database, timeout.Token);
    }

    [PostgresFact]
    public async Task A_litellm_that_refuses_connections_until_the_timeout_ends_the_wait_with_the_url_and_the_connection_error_and_app_dev_is_untouched()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var url = new Uri($"http://127.0.0.1:{ClosedPort()}/health/liveliness");
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__WaitForHealthUrl"] = url.ToString();
        environment["Migrations__WaitTimeout"] = "3";

        var stopwatch = Stopwatch.StartNew();
        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);
        stopwatch.Stop();

        Assert.True(runner.ExitCode == (int)MigrationExitCode.DependencyNotHealthy, runner.ToString());
        Assert.Contains($"GET {url} did not answer 200 within 3 s", runner.Output, StringComparison.Ordinal);
        Assert.Contains($"last answer: Connection refused ({url.Authority})", runner.Output, StringComparison.Ordinal);
        await AssertUntouchedAsync(database, timeout.Token);
        output.WriteLine(
            $"MEASURED LiteLLM refusing connections, Migrations:WaitTimeout=3 s: wait start to failure {Between(runner, 101, 901).TotalSeconds:0.000} s (runner's own log), " +
            $"runner start to exit {stopwatch.Elapsed.TotalSeconds:0.000} s.");
    }

    // The time between two of the runner's log lines, by event id, from their own timestamps ("HH:mm:ss.fff info: ...[101] ...").
    private static TimeSpan Between(ProcessResult result, int fromEventId, int toEventId)
    {
        TimeSpan At(int eventId) => TimeSpan.ParseExact(
            result.Output.Split('\n').First(line => line.Contains($"StackModel.MigrationRunner[{eventId}]", StringComparison.Ordinal))[..12],
            @"hh\:mm\:ss\.fff",
            CultureInfo.InvariantCulture);
        return At(toEventId) - At(fromEventId);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> environment, string key, string value) =>
        new(environment) { [key] = value };

    private static async Task AssertUntouchedAsync(TestDatabase database, CancellationToken cancellationToken)
    {
        Assert.False(await database.SchemaExistsAsync("drizzle", cancellationToken));
        Assert.Empty(await database.RelationsAsync(cancellationToken));
    }

    // Runs the runner while sampling the tmpfs's free space, to measure how much it wrote before the disk was full.
    private static async Task<(ProcessResult Result, TimeSpan Elapsed, long PeakWritten)> RunWatchingDiskAsync(
        TmpfsCluster cluster, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var freeBefore = cluster.AvailableBytes;
        var lowest = freeBefore;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    lowest = Math.Min(lowest, cluster.AvailableBytes);
                    await Task.Delay(2, CancellationToken.None);
                }
            },
            CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        var result = await RunnerProcess.RunAsync(environment, cancellationToken);
        stopwatch.Stop();
        await stop.CancelAsync();
        await sampler;
        return (result, stopwatch.Elapsed, freeBefore - lowest);
    }

    private static async Task<IReadOnlyList<(string Hash, long CreatedAt)>> HistoryAsync(TmpfsCluster cluster, CancellationToken cancellationToken)
    {
        var rows = new List<(string, long)>();
        await using var connection = await cluster.OpenAsync("app_dev", cancellationToken);
        await using var command = new NpgsqlCommand("SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    private static Task<bool> RelationExistsAsync(TmpfsCluster cluster, string table, CancellationToken cancellationToken) =>
        ScalarAsync<bool>(cluster, $"SELECT to_regclass('public.\"{table}\"') IS NOT NULL", cancellationToken);

    private static async Task<T> ScalarAsync<T>(TmpfsCluster cluster, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await cluster.OpenAsync("app_dev", cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static string ServerLogTail(TmpfsCluster cluster)
    {
        try
        {
            return "\n--- server log (tail)\n" + string.Join('\n', File.ReadLines(cluster.ServerLog).TakeLast(60));
        }
        catch (IOException ex)
        {
            return $"\n--- server log unreadable: {ex.Message}";
        }
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port; // nothing listens there once the probe stops
    }

    /// <summary>The first migration of the disk-full tests' folders, applied alone before the disk fills.</summary>
    private static readonly (string Tag, string Sql) UsersMigration = ("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY, \"email\" text NOT NULL);");

    /// <summary>The runner's environment for app_dev on a cluster the test made, with its target stated.</summary>
    private static Dictionary<string, string?> RunnerEnvironment(TmpfsCluster cluster) => new()
    {
        ["ConnectionStrings__app_dev"] = cluster.ConnectionString("app_dev"),
        ["Migrations__ExpectedDatabase"] = "app_dev",
        ["Migrations__ExpectedServerPort"] = cluster.Port.ToString(CultureInfo.InvariantCulture),
    };
}
