using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.Testing;

namespace StackModel.Benchmarks;

/// <summary>
/// Measures per-test databases on test stacks of the real AppHost, in one run, and prints figures and ratios:
/// the time to get a migrated clone (median, p95), cold (no pool; WAL_LOG and FILE_COPY) and pooled, with the app schema (db/migrations)
/// and with 200 generated migrations; 200 tests each with its own database next to the same 200 tests on one shared database reset between
/// them, and as the floor under both the CPU of as many bare connections (a new server process each, as every isolated test needs); all of
/// it with the test cluster's durability off (the default) and on, in RAM (/dev/shm, the default) and on disk (the temporary
/// folder, STACKMODEL_TEST_STATE_ROOT); and the testing builder's create -> started -> disposed.
/// Usage: dotnet run -c Release --project benchmarks/TestDatabaseBenchmark [-- samples [tests [quick]]] ("quick": durability off and the app
/// schema only, RAM and disk). Two more modes: <c>-- profile [tests]</c> splits an isolated test's CPU by phase (<see cref="CpuProfile"/>);
/// <c>-- ab [tests] [rounds]</c> runs the isolated suite with the types of pooled clones shared and loaded per clone, interleaved on one stack;
/// <c>-- suite [tests]</c> runs the isolated suite alone as the process's first (for A/B of process settings, run in turns).
/// </summary>
internal static class TestDatabaseBenchmark
{
    private static bool Verbose { get; set; }

    private const string TestBody =
        """
        WITH u AS (INSERT INTO users (email) VALUES ('ada@example.com') RETURNING id),
             a AS (INSERT INTO billing_accounts (owner_user_id, name) SELECT id, 'main' FROM u RETURNING id)
        INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key) SELECT a.id, g, 'seed', 'k' || g FROM a, generate_series(1, 10) g;
        SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM billing_accounts) + (SELECT count(*) FROM credit_ledger);
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ab")
        {
            // A/B of pool options on one stack, interleaved: -- ab [tests per run] [rounds].
            Verbose = true;
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            Console.WriteLine($"load average at start: {LoadAverage()}");
            await using var app = await StartAsync(durable: false, migrations: null, cts.Token);
            await app.PrepareTestDatabasesAsync("app_dev", cts.Token);
            var n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
            var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
            var variants = AbVariants();
            var wall = new double[variants.Length];
            var reports = new List<string>[variants.Length];
            for (var v = 0; v < variants.Length; v++)
            {
                reports[v] = [];
            }

            for (var round = 0; round < rounds; round++)
            {
                for (var v = 0; v < variants.Length; v++)
                {
                    var cpu = await CpuMeter.ForAsync(app, cts.Token);
                    var seconds = await FactorySuiteAsync(app, variants[v].Options, n, cts.Token);
                    wall[v] += seconds;
                    reports[v].Add(string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s; {cpu.Report(n)}"));
                }
            }

            for (var v = 0; v < variants.Length; v++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{variants[v].Name}: {wall[v] / rounds:0.00} s per {n} tests (ratio to first {wall[v] / wall[0]:0.00})"));
                foreach (var line in reports[v])
                {
                    Console.WriteLine("    " + line);
                }
            }

            Console.WriteLine($"load average at the end: {LoadAverage()}");
            return 0;
        }

        if (args.Length > 0 && args[0] == "suite")
        {
            // The isolated suite alone, the process's first (its JIT included, as in a test run): -- suite [tests]. For A/B of process
            // settings (environment variables such as DOTNET_TieredPGO), run it in turns in separate processes.
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
            var load = LoadAverage();
            await using var app = await StartAsync(durable: false, migrations: null, cts.Token);
            await app.PrepareTestDatabasesAsync("app_dev", cts.Token);
            var cpu = await CpuMeter.ForAsync(app, cts.Token);
            var (seconds, handOuts) = await IsolatedSuiteAsync(app, n, cts.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} isolated tests: {seconds:0.00} s; {cpu.Report(n)}; hand-out median {Median(handOuts):0.0} ms; load {load} -> {LoadAverage()}"));
            return 0;
        }

        if (args.Length > 0 && args[0] == "profile")
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            Console.WriteLine($"load average at start: {LoadAverage()}");
            await using (var app = await StartAsync(durable: false, migrations: null, cts.Token))
            {
                await app.PrepareTestDatabasesAsync("app_dev", cts.Token);
                await CpuProfile.RunAsync(app, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50, RunTestBodyAsync, cts.Token);
            }

            Console.WriteLine($"load average at the end: {LoadAverage()}");
            return 0;
        }

        var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var tests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var quick = args.Length > 2 && args[2] == "quick";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = timeout.Token;
        var generated = Directory.CreateTempSubdirectory("stackmodel-bench-migrations-").FullName;
        try
        {
            await GenerateAsync(generated, 200, ct);
            Console.WriteLine($"Per-test databases, {samples} samples per figure, {tests} tests per suite; {Environment.ProcessorCount} cores; load average at start: {LoadAverage()}");
            Console.WriteLine();

            var results = new Dictionary<string, double>(StringComparer.Ordinal);
            var ram = TestClusterStorage.Choose();
            var variants = new List<(bool Durable, bool Disk)> { (false, false), (false, true) };
            if (!quick)
            {
                variants.Add((true, false));
            }

            foreach (var (durable, disk) in variants)
            {
                var mode = (durable ? "durable" : "durability off") + (disk ? " disk" : string.Empty);
                Console.WriteLine($"== test cluster {(durable ? "with fsync, synchronous_commit and full_page_writes on (--Stack:TestCluster=false)" : "with fsync=off, synchronous_commit=off, full_page_writes=off (the testing builder's default)")}, " +
                    (disk ? $"on disk ({TestClusterStorage.RootVariable}={Path.GetTempPath()})" : $"where test stacks go by default ({ram.Root}: {ram.Reason})"));
                Environment.SetEnvironmentVariable(TestClusterStorage.RootVariable, disk ? Path.GetTempPath() : null);
                await using (var app = await StartAsync(durable, migrations: null, ct))
                {
                    var build = Stopwatch.StartNew();
                    var template = await app.PrepareTestDatabasesAsync("app_dev", ct);
                    Console.WriteLine($"app schema (db/migrations): template '{template}' ready in {build.Elapsed.TotalMilliseconds:0} ms (the real migration runner, once per migrations content)");
                    foreach (var strategy in new[] { TestDatabaseCloneStrategy.WalLog, TestDatabaseCloneStrategy.FileCopy })
                    {
                        var cold = await ColdAsync(app, strategy, samples, ct);
                        results[$"{mode} cold {strategy}"] = Median(cold);
                        Print($"  cold clone, {strategy}", cold);
                    }

                    var handOut = await PooledHandOutAsync(app, samples, ct);
                    results[$"{mode} pooled"] = Median(handOut);
                    Print("  pooled hand-out (pool full)", handOut);

                    var cpu = await CpuMeter.ForAsync(app, ct);
                    var (isolated, isolatedHandOuts) = await IsolatedSuiteAsync(app, tests, ct);
                    results[$"{mode} isolated"] = isolated;
                    Console.WriteLine($"  CPU of the {tests} isolated tests (a figure load hardly changes): {cpu.Report(tests)}");
                    cpu = await CpuMeter.ForAsync(app, ct);
                    Print($"  hand-out during the {tests} isolated tests", isolatedHandOuts);
                    var shared = await SharedSuiteAsync(app, tests, ct);
                    results[$"{mode} shared"] = shared;
                    Console.WriteLine($"  CPU of the {tests} shared tests: {cpu.Report(tests)}");
                    cpu = await CpuMeter.ForAsync(app, ct);
                    await BareConnectionsAsync(app, tests, ct);
                    Console.WriteLine($"  the floor under an isolated test, {tests} bare connections to app_dev (each a new server process: open, SELECT 1, close; no pool): {cpu.Report(tests)}");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {tests} tests, each its own database (pooled): {isolated:0.00} s total; the same {tests} tests on one shared app_dev with ResetDatabaseAsync between them: {shared:0.00} s; ratio isolated/shared {isolated / shared:0.00} (goal: isolated <= 10 s)"));
                }

                if (!durable && !disk)
                {
                    // The pool's refill concurrency, A/B interleaved on one stack: 1 filler against 2 (the default).
                    await using var again = await StartAsync(durable, migrations: null, ct);
                    await again.PrepareTestDatabasesAsync("app_dev", ct);
                    var (one, two) = await InterleavedAsync(
                        () => FactorySuiteAsync(again, fillers: 1, tests / 2, ct),
                        () => FactorySuiteAsync(again, fillers: 2, tests / 2, ct));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {tests / 2} isolated tests, pool refilled by 1 clone at a time: {Runs(one)} s; by 2 at a time: {Runs(two)} s; ratio 2/1 {two.Sum() / one.Sum():0.00}"));
                }

                if (durable || disk || quick)
                {
                    // 200 migrations with durability on cost seconds per clone: the app schema above tells the ratio.
                    Console.WriteLine();
                    continue;
                }

                await using (var app = await StartAsync(durable, migrations: generated, ct))
                {
                    var build = Stopwatch.StartNew();
                    var template = await app.PrepareTestDatabasesAsync("app_dev", ct);
                    Console.WriteLine($"200 generated migrations: template '{template}' ready in {build.Elapsed.TotalMilliseconds:0} ms");
                    foreach (var strategy in new[] { TestDatabaseCloneStrategy.WalLog, TestDatabaseCloneStrategy.FileCopy })
                    {
                        var cold = await ColdAsync(app, strategy, samples, ct);
                        results[$"{mode} 200 cold {strategy}"] = Median(cold);
                        Print($"  cold clone, {strategy}", cold);
                    }

                    var handOut = await PooledHandOutAsync(app, samples, ct);
                    Print("  pooled hand-out (pool full)", handOut);
                }

                Console.WriteLine();
            }

            {
                // The isolated suite in RAM and on disk, interleaved on two stacks running side by side, so that the load and the warm-up hit both alike.
                Environment.SetEnvironmentVariable(TestClusterStorage.RootVariable, null);
                await using var inRam = await StartAsync(durable: false, migrations: null, ct);
                Environment.SetEnvironmentVariable(TestClusterStorage.RootVariable, Path.GetTempPath());
                await using var onDisk = await StartAsync(durable: false, migrations: null, ct);
                Environment.SetEnvironmentVariable(TestClusterStorage.RootVariable, null);
                await inRam.PrepareTestDatabasesAsync("app_dev", ct);
                await onDisk.PrepareTestDatabasesAsync("app_dev", ct);
                var (ramRuns, diskRuns) = await InterleavedAsync(
                    () => FactorySuiteAsync(inRam, fillers: 2, tests / 2, ct),
                    () => FactorySuiteAsync(onDisk, fillers: 2, tests / 2, ct));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"== interleaved: {tests / 2} isolated tests in {ram.Root}: {Runs(ramRuns)} s; on disk: {Runs(diskRuns)} s; ratio disk/{ram.Root} {diskRuns.Sum() / ramRuns.Sum():0.00}"));
            }

            Console.WriteLine("== ratios");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  disk / default folder ({ram.Root}), durability off: cold WAL_LOG {results["durability off disk cold WalLog"] / results["durability off cold WalLog"]:0.00}, cold FILE_COPY {results["durability off disk cold FileCopy"] / results["durability off cold FileCopy"]:0.00}, {tests} isolated tests {results["durability off disk isolated"] / results["durability off isolated"]:0.00}, {tests} shared tests {results["durability off disk shared"] / results["durability off shared"]:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  FILE_COPY / WAL_LOG cold median, app schema, durability off: {results["durability off cold FileCopy"] / results["durability off cold WalLog"]:0.00} ({ram.Root}), {results["durability off disk cold FileCopy"] / results["durability off disk cold WalLog"]:0.00} (disk)"));
            if (quick)
            {
                Console.WriteLine($"load average at the end (1, 5, 15 min): {LoadAverage()}");
                return 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  FILE_COPY / WAL_LOG cold median, app schema: {results["durability off cold FileCopy"] / results["durability off cold WalLog"]:0.00} (durability off), {results["durable cold FileCopy"] / results["durable cold WalLog"]:0.00} (durable)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  FILE_COPY / WAL_LOG cold median, 200 migrations: {results["durability off 200 cold FileCopy"] / results["durability off 200 cold WalLog"]:0.00} (durability off)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  cold WAL_LOG clone, 200 migrations / app schema: {results["durability off 200 cold WalLog"] / results["durability off cold WalLog"]:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  durable / durability off: cold WAL_LOG {results["durable cold WalLog"] / results["durability off cold WalLog"]:0.00}, cold FILE_COPY {results["durable cold FileCopy"] / results["durability off cold FileCopy"]:0.00}, {tests} isolated tests {results["durable isolated"] / results["durability off isolated"]:0.00}, {tests} shared tests {results["durable shared"] / results["durability off shared"]:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  cold clone / pooled hand-out (durability off): {results["durability off cold WalLog"] / results["durability off pooled"]:0.0}"));
            Console.WriteLine();

            var builder = new List<double>();
            for (var i = -1; i < 5; i++)
            {
                var seconds = await TestingBuilderAsync(ct);
                if (i >= 0)
                {
                    builder.Add(seconds * 1000);
                }
            }

            Print("testing builder create -> started -> disposed (PostgreSQL-only stack, as benchmarks/StackModel.Benchmarks.Startup; goal <= 1000 ms, issue 16)", builder);
            Console.WriteLine($"load average at the end (1, 5, 15 min): {LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(generated, recursive: true);
        }
    }

    private static async Task<DistributedApplication> StartAsync(bool durable, string? migrations, CancellationToken ct)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<global::Program>(
            ["--LiteLLM:Runtime=off", $"--Stack:TestCluster={(!durable).ToString().ToLowerInvariant()}"], ct);
        if (migrations is not null)
        {
            builder.Resources.Single(r => r.Name == "migrations").Annotations.Add(new EnvironmentCallbackAnnotation(c => c.EnvironmentVariables["Migrations__Path"] = migrations));
        }

        var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceHealthyAsync("app_dev", ct);
        return app;
    }

    /// <summary>Clones on demand (no pool): the time CreateTestDatabaseAsync takes; each database dropped before the next is asked for.</summary>
    private static async Task<List<double>> ColdAsync(DistributedApplication app, TestDatabaseCloneStrategy strategy, int samples, CancellationToken ct)
    {
        var database = app.Model.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "app_dev");
        await using var factory = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0, Strategy = strategy }, ct);
        var times = new List<double>();
        for (var i = -3; i < samples; i++)
        {
            var watch = Stopwatch.StartNew();
            var db = await factory.CreateAsync(ct);
            watch.Stop();
            await db.DisposeAsync();
            await factory.WhenDroppedAsync(ct);
            if (i >= 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    /// <summary>Hand-outs from a full pool: the pool is let fill up before each one is asked for.</summary>
    private static async Task<List<double>> PooledHandOutAsync(DistributedApplication app, int samples, CancellationToken ct)
    {
        var database = app.Model.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "app_dev");
        await using var factory = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions(), ct);
        var times = new List<double>();
        for (var i = -3; i < samples; i++)
        {
            while (factory.Ready < factory.PoolSize)
            {
                await Task.Delay(5, ct);
            }

            await factory.WhenDroppedAsync(ct);
            var watch = Stopwatch.StartNew();
            var db = await factory.CreateAsync(ct);
            watch.Stop();
            await db.DisposeAsync();
            if (i >= 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    /// <summary>N tests one after another, each with a database of its own (the public API, default pool), each writing and reading rows.</summary>
    private static async Task<(double Seconds, List<double> HandOuts)> IsolatedSuiteAsync(DistributedApplication app, int tests, CancellationToken ct)
    {
        var handOuts = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < tests; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var db = await app.CreateTestDatabaseAsync("app_dev", ct);
            handOuts.Add(watch.Elapsed.TotalMilliseconds);
            await RunTestBodyAsync(db.DataSource, ct);
        }

        return (total.Elapsed.TotalSeconds, handOuts);
    }

    private static (string Name, TestDatabaseOptions Options)[] AbVariants() =>
    [
        ("types shared (default)", new TestDatabaseOptions()),
        ("types loaded per clone", new TestDatabaseOptions { ShareTypes = false }),
    ];

    /// <summary>N isolated tests from a factory of their own with <paramref name="fillers"/> refilling its (default-sized) pool, which starts full.</summary>
    private static Task<double> FactorySuiteAsync(DistributedApplication app, int fillers, int tests, CancellationToken ct) =>
        FactorySuiteAsync(app, new TestDatabaseOptions { Fillers = fillers }, tests, ct);

    /// <summary>N isolated tests from a factory of their own with <paramref name="options"/>, its pool full at the start.</summary>
    private static async Task<double> FactorySuiteAsync(DistributedApplication app, TestDatabaseOptions options, int tests, CancellationToken ct)
    {
        var database = app.Model.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "app_dev");
        await using var factory = await TestDatabaseFactory.CreateAsync(app, database, options, ct);
        while (factory.Ready < factory.PoolSize)
        {
            await Task.Delay(5, ct);
        }

        var total = Stopwatch.StartNew();
        for (var i = 0; i < tests; i++)
        {
            await using var db = await factory.CreateAsync(ct);
            await RunTestBodyAsync(db.DataSource, ct);
        }

        var seconds = total.Elapsed.TotalSeconds;
        if (Verbose)
        {
            Console.WriteLine($"    (pooled clones whose types were shared: {factory.TypesShared})");
        }

        return seconds;
    }

    /// <summary>The same N tests on the stack's app_dev, emptied with ResetDatabaseAsync after each.</summary>
    private static async Task<double> SharedSuiteAsync(DistributedApplication app, int tests, CancellationToken ct)
    {
        await app.WaitForResourceAsync("migrations", Hosting.Orchestration.ResourceState.Finished, ct);
        await using var dataSource = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("app_dev", ct));
        await app.ResetDatabaseAsync("app_dev", ct);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < tests; i++)
        {
            await RunTestBodyAsync(dataSource, ct);
            await app.ResetDatabaseAsync("app_dev", ct);
        }

        return total.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// N connections one after another, each a new PostgreSQL server process that runs <c>SELECT 1</c> and exits: what an isolated test pays
    /// for its own database's server process alone (it cannot share one: a PostgreSQL process serves one database), on this machine.
    /// </summary>
    private static async Task BareConnectionsAsync(DistributedApplication app, int count, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("app_dev", ct)) { Pooling = false }.ConnectionString;
        for (var i = 0; i < count; i++)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
        }

        await Task.Delay(200, ct); // the last server process exits
    }

    private static async Task RunTestBodyAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(TestBody);
        var rows = (long)(await command.ExecuteScalarAsync(ct))!;
        if (rows != 12)
        {
            throw new InvalidOperationException($"A test saw {rows} rows instead of its own 12: its database was not its own.");
        }
    }

    private static async Task<double> TestingBuilderAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using (var builder = DistributedApplicationTestingBuilder.Create())
        {
            var postgres = builder.AddPostgres("postgres", port: 1);
            postgres.AddDatabase("app_dev");
            postgres.AddDatabase("litellm_dev");
            await using var app = await builder.BuildAsync(ct);
            await app.StartAsync(ct);
            await app.WaitForResourceHealthyAsync("app_dev", ct);
            await app.WaitForResourceHealthyAsync("litellm_dev", ct);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task GenerateAsync(string folder, int count, CancellationToken ct)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../migrations/generate.sh"));
        if (!File.Exists(script))
        {
            script = Path.GetFullPath("benchmarks/migrations/generate.sh");
        }

        using var process = Process.Start(new ProcessStartInfo("bash", [script, folder, count.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed: {await process.StandardError.ReadToEndAsync(ct)}");
        }
    }

    /// <summary>Two suites in turns, two rounds each (A, B, A, B), so that load and warm-up hit both alike.</summary>
    private static async Task<(List<double> A, List<double> B)> InterleavedAsync(Func<Task<double>> a, Func<Task<double>> b)
    {
        var (first, second) = (new List<double>(), new List<double>());
        for (var round = 0; round < 2; round++)
        {
            first.Add(await a());
            second.Add(await b());
        }

        return (first, second);
    }

    /// <summary>Each run's seconds, e.g. "6.10 / 6.50".</summary>
    private static string Runs(List<double> seconds) => string.Join(" / ", seconds.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)));

    private static void Print(string label, List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: median {Percentile(sorted, 0.5):0.0} ms, p95 {Percentile(sorted, 0.95):0.0} ms (min {sorted[0]:0.0}, max {sorted[^1]:0.0}, n = {sorted.Count})"));
    }

    private static double Median(List<double> values) => Percentile(values.Order().ToList(), 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
