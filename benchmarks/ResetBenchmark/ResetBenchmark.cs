using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Benchmarks;

/// <summary>
/// Measures <c>ResetDatabaseAsync("app_dev")</c> (guard included) on a test stack of the real AppHost, with a few thousand rows
/// in the app's schema (db/migrations, applied by the stack's migration runner) before each reset. Prints median and p90; the goal is a median of 50 ms or less.
/// Usage: dotnet run -c Release --project benchmarks/ResetBenchmark [-- iterations [users]]
/// </summary>
internal static class ResetBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var users = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = timeout.Token;

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<global::Program>(cancellationToken: ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        // The app's schema as the stack's own migration runner applies it (db/migrations); rows as the app writes them.
        var migrations = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct);
        if (migrations.State != ResourceState.Finished)
        {
            Console.Error.WriteLine($"The migration runner ended {migrations.State}, not Finished: {migrations.Reason}");
            return 1;
        }

        var connectionString = await app.GetConnectionStringAsync("app_dev", ct);
        var seed =
            $"""
            INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, {users}) g;
            INSERT INTO billing_accounts (owner_user_id, name) SELECT id, 'main' FROM users;
            INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key)
                SELECT a.id, 1, 'seed', a.id::text || '-' || g FROM billing_accounts a, generate_series(1, 10) g;
            INSERT INTO virtual_keys (billing_account_id, created_by_user_id, key_hash, key_prefix)
                SELECT id, owner_user_id, md5(id::text), 'sk-' FROM billing_accounts;
            """;

        var rows = 0L;
        var samples = new List<double>();
        for (var i = -3; i < iterations; i++)
        {
            await ExecuteAsync(connectionString, seed, ct);
            rows = await CountAsync(connectionString, ct);
            var watch = Stopwatch.StartNew();
            await app.ResetDatabaseAsync("app_dev", ct);
            watch.Stop();
            if (i >= 0)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        // The guard alone, on an open pooled connection, to tell its share from TRUNCATE's.
        var recordPath = Path.Combine(app.StateDirectory, StackRecord.FileName);
        var guardSamples = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await StackTargetGuard.VerifyAsync(connection, StackRecord.Read(recordPath), "app_dev", recordPath, ct);
            guardSamples.Add(watch.Elapsed.TotalMilliseconds);
        }

        guardSamples.Sort();
        samples.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ResetDatabaseAsync(\"app_dev\"), guard included: {iterations} resets of {rows} rows in 4 tables (3 warm-up resets not counted)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median {Percentile(samples, 0.5):0.0} ms, p90 {Percentile(samples, 0.9):0.0} ms, min {samples[0]:0.0} ms, max {samples[^1]:0.0} ms (goal: median <= 50 ms)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"guard alone (read stack.json, open pooled connection, verify): median {Percentile(guardSamples, 0.5):0.0} ms, p90 {Percentile(guardSamples, 0.9):0.0} ms"));
        Console.WriteLine($"load average during the run (1, 5, 15 min): {(File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown")} on {Environment.ProcessorCount} cores");
        await app.StopAsync(ct);
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> CountAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM billing_accounts) + (SELECT count(*) FROM credit_ledger) + (SELECT count(*) FROM virtual_keys)", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
