using System.Globalization;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Testing;

namespace StackModel.Benchmarks;

/// <summary>
/// CPU time spent by the benchmark's own process and by the test stack's PostgreSQL (the postmaster, its live children and the children
/// it has reaped) since it was made: on a shared machine the wall time depends on the load, the CPU time far less.
/// </summary>
internal sealed class CpuMeter
{
    private readonly int _postmaster;
    private readonly double _process;
    private readonly double _cluster;

    private CpuMeter(int postmaster)
    {
        _postmaster = postmaster;
        _process = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        _cluster = ClusterSeconds(postmaster);
    }

    public static async Task<CpuMeter> ForAsync(DistributedApplication app, CancellationToken ct)
    {
        var superUser = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("postgres", ct)) { Database = "postgres" }.ConnectionString;
        await using var connection = new NpgsqlConnection(superUser);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SHOW data_directory", connection);
        var data = (string)(await command.ExecuteScalarAsync(ct))!;
        var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        return new CpuMeter(pid);
    }

    public string Report(int tests)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _process;
        var cluster = ClusterSeconds(_postmaster) - _cluster;
        return string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL {cluster:0.00} s ({cluster * 1000 / tests:0.0} ms per test), this process {process:0.00} s ({process * 1000 / tests:0.0} ms per test)");
    }

    private static double ClusterSeconds(int postmaster)
    {
        var ticks = Ticks(postmaster, withReaped: true);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{postmaster}/task"))
        {
            var children = Path.Combine(task, "children");
            if (File.Exists(children))
            {
                foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    ticks += Ticks(int.Parse(child, CultureInfo.InvariantCulture), withReaped: false);
                }
            }
        }

        return ticks / 100.0;
    }

    /// <summary>A process's CPU ticks from /proc/&lt;pid&gt;/stat (user + system), with its reaped children's when asked.</summary>
    internal static long Ticks(int pid, bool withReaped)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // Fields 14-17 of /proc/<pid>/stat (utime, stime, cutime, cstime) are 11-14 after the command.
            var own = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return withReaped ? own + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture) : own;
        }
        catch (IOException)
        {
            return 0; // a child that just exited: counted in the parent's reaped time
        }
    }
}
