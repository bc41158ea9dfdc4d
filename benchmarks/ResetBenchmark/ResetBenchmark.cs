using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackModel.Hosting.Testing;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Benchmarks;

/// <summary>
/// Measures <c>ResetDatabaseAsync("app_dev")</c> (guard included) on a test stack of the real AppHost, with a few thousand rows
/// in a drizzle-shaped app schema before each reset. Prints median and p90; the goal is a median of 50 ms or less.
/// Usage: dotnet run -c Release --project benchmarks/ResetBenchmark [-- iterations [users]]
/// </summary>
internal static class ResetBenchmark
{
    private const string Schema =
        """
        CREATE SCHEMA drizzle;
        CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
        INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('h0', 1730000000000), ('h1', 1730000100000);
        CREATE SCHEMA app;
        CREATE TABLE app.users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE app.billing_accounts (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES app.users (id), plan text NOT NULL);
        CREATE TABLE app.credit_ledger (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES app.billing_accounts (id), amount numeric NOT NULL);
        CREATE TABLE app.virtual_keys (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES app.users (id), key_hash text NOT NULL UNIQUE);
        """;

    public static async Task<int> Main(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var users = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = timeout.Token;

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<global::Program>(cancellationToken: ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceHealthyAsync("app_dev", ct);
        // The schema as the migration system plants it (the schema firewall refuses it to the runtime role); rows as the app writes them.
        await ExecuteAsync(await app.GetMigratorConnectionStringAsync("app_dev", ct), Schema, ct);
        var connectionString = await app.GetConnectionStringAsync("app_dev", ct);
        var seed =
            $"""
            INSERT INTO app.users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, {users}) g;
            INSERT INTO app.billing_accounts (user_id, plan) SELECT id, 'pro' FROM app.users;
            INSERT INTO app.credit_ledger (account_id, amount) SELECT a.id, 1 FROM app.billing_accounts a, generate_series(1, 10);
            INSERT INTO app.virtual_keys (user_id, key_hash) SELECT id, md5(id::text) FROM app.users;
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
            "SELECT (SELECT count(*) FROM app.users) + (SELECT count(*) FROM app.billing_accounts) + (SELECT count(*) FROM app.credit_ledger) + (SELECT count(*) FROM app.virtual_keys)", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
