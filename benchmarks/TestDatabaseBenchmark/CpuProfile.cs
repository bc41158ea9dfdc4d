using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Benchmarks;

/// <summary>
/// Where an isolated test's CPU goes, phase by phase, with the pool off so that the phases do not overlap: the clone (CREATE DATABASE and
/// its isolation), the test's first connection (a new server process on a new database, authentication, Npgsql's type loading), the test's
/// own SQL, and the drop. PostgreSQL's CPU is split into the checkpointer and the rest (backends, reaped or alive, and the other
/// auxiliary processes); this process's CPU is the client's. Usage: <c>-- profile [tests]</c>.
/// </summary>
internal static class CpuProfile
{
    public static async Task RunAsync(DistributedApplication app, int tests, Func<NpgsqlDataSource, CancellationToken, Task> body, CancellationToken ct)
    {
        var superUser = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("postgres", ct)) { Database = "postgres" }.ConnectionString;
        int postmaster;
        await using (var connection = new NpgsqlConnection(superUser))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SHOW data_directory", connection);
            var data = (string)(await command.ExecuteScalarAsync(ct))!;
            postmaster = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        }

        var database = app.Model.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "app_dev");
        await using var factory = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct);
        string[] phases = ["clone", "the test's backend (types shared)", "test SQL", "close the test's connection", "drop"];
        var server = new double[phases.Length];
        var checkpointer = new double[phases.Length];
        var client = new double[phases.Length];
        var wall = new double[phases.Length];
        for (var i = -5; i < tests; i++)
        {
            var last = Snapshot(postmaster);
            var watch = Stopwatch.StartNew();
            var phase = 0;
            void Mark()
            {
                var now = Snapshot(postmaster);
                if (i >= 0)
                {
                    server[phase] += now.Server - last.Server;
                    checkpointer[phase] += now.Checkpointer - last.Checkpointer;
                    client[phase] += now.Client - last.Client;
                    wall[phase] += watch.Elapsed.TotalSeconds;
                }

                last = now;
                watch.Restart();
                phase++;
            }

            var db = await factory.CreateAsync(ct);
            Mark();
            await using (var c = await db.DataSource.OpenConnectionAsync(ct))
            {
                await factory.LearnTypesAsync(c, ct);
                Mark();
            }

            await body(db.DataSource, ct);
            Mark();
            await db.DataSource.DisposeAsync();
            await Task.Delay(30, ct); // the server process exits
            Mark();
            await db.DisposeAsync();
            await factory.WhenDroppedAsync(ct);
            Mark();
        }

        Console.WriteLine($"CPU per isolated test by phase, pool off, {tests} tests (ms per test; PostgreSQL = all its processes, of which the checkpointer)");
        for (var p = 0; p < phases.Length; p++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {phases[p],-36} PostgreSQL {server[p] * 1000 / tests,6:0.0} (checkpointer {checkpointer[p] * 1000 / tests,5:0.0})  client {client[p] * 1000 / tests,6:0.0}  wall {wall[p] * 1000 / tests,6:0.0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {"total",-36} PostgreSQL {server.Sum() * 1000 / tests,6:0.0} (checkpointer {checkpointer.Sum() * 1000 / tests,5:0.0})  client {client.Sum() * 1000 / tests,6:0.0}  wall {wall.Sum() * 1000 / tests,6:0.0}"));
    }

    private static (double Server, double Checkpointer, double Client) Snapshot(int postmaster)
    {
        var ticks = CpuMeter.Ticks(postmaster, withReaped: true);
        long checkpointer = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{postmaster}/task"))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children))
            {
                continue;
            }

            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var pid = int.Parse(child, CultureInfo.InvariantCulture);
                var own = CpuMeter.Ticks(pid, withReaped: false);
                ticks += own;
                try
                {
                    if (File.ReadAllText($"/proc/{pid}/cmdline").Contains("checkpointer", StringComparison.Ordinal))
                    {
                        checkpointer += own;
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        return (ticks / 100.0, checkpointer / 100.0, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
    }
}
