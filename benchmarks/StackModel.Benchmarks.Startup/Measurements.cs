using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Benchmarks.Startup;

internal static class Measurements
{
    private static readonly string PgBin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().First() + "/bin";

    /// <summary>initdb, pg_ctl start -w, two CREATE DATABASE, as the postgres account: what the stack cannot beat.</summary>
    public static async Task<double> ManualClusterAsync()
    {
        var dir = Directory.CreateTempSubdirectory("stackmodel-bench-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_001_001);
        var data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        await Run("chown", "postgres", data);
        await File.WriteAllTextAsync(Path.Combine(dir, "pw"), "benchmark-password\n");
        await Run("chown", "postgres", Path.Combine(dir, "pw"));
        var port = FreePort();
        var watch = Stopwatch.StartNew();
        await AsPostgres($"{PgBin}/initdb", "-D", data, "-U", "postgres", "--pwfile", Path.Combine(dir, "pw"), "--auth", "scram-sha-256", "--no-sync", "--no-instructions", "--locale", "C", "--encoding", "UTF8");
        await AsPostgres($"{PgBin}/pg_ctl", "start", "-w", "-D", data, "-l", Path.Combine(data, "log"), "-o", $"-p {port} -c listen_addresses=127.0.0.1 -k {data}");
        await AsPostgres($"{PgBin}/psql", "-h", data, "-p", port.ToString(), "-U", "postgres", "-d", "postgres", "-qc", "CREATE DATABASE a");
        await AsPostgres($"{PgBin}/psql", "-h", data, "-p", port.ToString(), "-U", "postgres", "-d", "postgres", "-qc", "CREATE DATABASE b");
        var seconds = watch.Elapsed.TotalSeconds;
        await AsPostgres($"{PgBin}/pg_ctl", "stop", "-m", "fast", "-D", data);
        Directory.Delete(dir, recursive: true);
        return seconds;
    }

    /// <summary>The AppHost as users run it (built tree), on a new state folder, then <paramref name="warmStarts"/> times again on the same one.</summary>
    public static Task<(double Cold, List<double> Warm)> AppHostColdAndWarmAsync(int warmStarts) => ColdAndWarmAsync(warmStarts, "");

    /// <summary>
    /// As <see cref="AppHostColdAndWarmAsync"/> for the AppHost build at <paramref name="appHostDll"/> (another build, e.g. of main,
    /// given by STACKMODEL_BENCH_BASELINE_APPHOST), its timelines kept apart under "cold, baseline" and "warm, baseline": Program.cs
    /// runs it in turns with this tree's build, so that both are measured in one run on the same machine.
    /// </summary>
    public static async Task<(double Cold, List<double> Warm)> BaselineColdAndWarmAsync(string appHostDll, int warmStarts)
    {
        _appHostDll = appHostDll;
        try
        {
            return await ColdAndWarmAsync(warmStarts, ", baseline");
        }
        finally
        {
            _appHostDll = null;
        }
    }

    private static async Task<(double Cold, List<double> Warm)> ColdAndWarmAsync(int warmStarts, string timelineSuffix)
    {
        var dir = Directory.CreateTempSubdirectory("stackmodel-bench-").FullName;
        var port = FreePort();
        try
        {
            _timelineKind = "cold" + timelineSuffix;
            var cold = await AppHostToAllUpAsync(dir, port, "--Stack:Runtime=process");
            _timelineKind = "warm" + timelineSuffix;
            var warm = new List<double>();
            for (var i = 0; i < warmStarts; i++)
            {
                warm.Add(await AppHostToAllUpAsync(dir, port, "--Stack:Runtime=process"));
            }

            return (cold, warm);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One testing-builder round: a PostgreSQL-only stack (<paramref name="args"/> for the builder, e.g. <c>--Stack:ReachableDataDirectory=</c>), created, started, healthy, disposed.</summary>
    public static async Task<double> TestingBuilderAsync(params string[] args)
    {
        File.WriteAllText(InProcessTimeline, string.Empty);
        var createdAt = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        double built, started, healthy;
        await using (var builder = DistributedApplicationTestingBuilder.Create(args))
        {
            var postgres = builder.AddPostgres("postgres", port: 1);
            postgres.AddDatabase("app_dev");
            postgres.AddDatabase("litellm_dev");
            await using var app = await builder.BuildAsync();
            built = watch.Elapsed.TotalMilliseconds;
            await app.StartAsync();
            started = watch.Elapsed.TotalMilliseconds;
            await app.WaitForResourceHealthyAsync("app_dev");
            await app.WaitForResourceHealthyAsync("litellm_dev");
            healthy = watch.Elapsed.TotalMilliseconds;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        if (!Timelines.TryGetValue("testing builder", out var list))
        {
            Timelines["testing builder"] = list = [];
        }

        list.Add([("Create() called", 0, null), ("BuildAsync returned", built, null), ("StartAsync returned", started, null), ("both databases healthy", healthy, null), ("disposed", seconds * 1000, null), .. InProcessMarks(createdAt)]);
        return seconds;
    }

    /// <summary>
    /// The file the testing builder's stacks (in this process) write their milestones to: the benchmark names it in
    /// STACKMODEL_STARTUP_TIMELINE before the first stack is built (Program.cs) and empties it before each round.
    /// </summary>
    public static string InProcessTimeline { get; } = Path.Combine(Path.GetTempPath(), $"stackmodel-bench-timeline-{Environment.ProcessId}.tsv");

    /// <summary>The milestones one testing-builder round wrote, in ms after <paramref name="createdAt"/> (the process's own start is left out: it is the benchmark's).</summary>
    private static IEnumerable<(string Milestone, double Milliseconds, string? Jit)> InProcessMarks(DateTimeOffset createdAt)
    {
        if (!File.Exists(InProcessTimeline))
        {
            return [];
        }

        var createdMs = createdAt.ToUnixTimeMilliseconds() + (createdAt.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond);
        return File.ReadAllLines(InProcessTimeline)
            .Select(line => line.Split('\t', 3))
            .Where(parts => parts.Length >= 2 && !parts[1].StartsWith("AppHost process started", StringComparison.Ordinal))
            .Select(parts => (parts[1], double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) - createdMs, parts.Length == 3 ? parts[2] : null))
            .ToList();
    }

    /// <summary>
    /// Warm starts (cluster and image present) of the AppHost on one runtime to all resources settled: one unmeasured first
    /// start creates the cluster (initdb; for containers the named volume), then <paramref name="rounds"/> measured starts.
    /// Container stacks get a name of their own and run on <paramref name="engine"/> (<c>Stack:ContainerRuntime</c>); their volume is
    /// removed at the end.
    /// </summary>
    public static async Task<List<double>> WarmStartsAsync(string runtime, int rounds, string engine = "podman")
    {
        var dir = Directory.CreateTempSubdirectory("stackmodel-bench-").FullName;
        var name = "stackmodel-bench-" + Path.GetFileName(dir).Split('-').Last().ToLowerInvariant();
        var port = FreePort();
        string[] extra = runtime == "container"
            ? [$"--Stack:Runtime={runtime}", $"--Stack:Name={name}", $"--Stack:ContainerRuntime={engine}"]
            : [$"--Stack:Runtime={runtime}", $"--Stack:Name={name}"];
        try
        {
            _timelineKind = "unmeasured";
            await AppHostToAllUpAsync(dir, port, extra);
            _timelineKind = runtime == "container" ? $"warm container on {engine}" : $"warm {runtime}";
            var seconds = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                seconds.Add(await AppHostToAllUpAsync(dir, port, extra));
            }

            return seconds;
        }
        finally
        {
            var volumes = VolumesOf(dir, name);
            Directory.Delete(dir, recursive: true);
            if (runtime == "container")
            {
                await Run(engine, ["volume", "rm", "-f", .. volumes]);
            }
        }
    }

    /// <summary>
    /// As <see cref="WarmStartsAsync"/> on the container runtime, for this tree's AppHost and the one at <paramref name="baselineDll"/>
    /// (another build, e.g. of main) in turns, each on a stack of its own: an A/B comparison in one run.
    /// </summary>
    /// <remarks><paramref name="engine"/> <see langword="null"/>: the process runtime (the <c>warm</c> mode).</remarks>
    public static async Task<(List<double> Current, List<double> Baseline)> WarmStartsComparedAsync(int rounds, string? engine, string baselineDll)
    {
        var kind = engine is null ? "warm process" : $"warm container on {engine}";
        var stacks = new[] { (Dll: (string?)null, Kind: kind), (Dll: baselineDll, Kind: $"{kind}, baseline") }
            .Select(s =>
            {
                var dir = Directory.CreateTempSubdirectory("stackmodel-bench-").FullName;
                var name = "stackmodel-bench-" + Path.GetFileName(dir).Split('-').Last().ToLowerInvariant();
                return (s.Dll, s.Kind, Dir: dir, Name: name, Port: FreePort(),
                        Extra: engine is null
                            ? new[] { "--Stack:Runtime=process", $"--Stack:Name={name}" }
                            : new[] { "--Stack:Runtime=container", $"--Stack:Name={name}", $"--Stack:ContainerRuntime={engine}" });
            })
            .ToList();
        var seconds = stacks.Select(_ => new List<double>()).ToList();
        try
        {
            for (var round = -1; round < rounds; round++)
            {
                for (var i = 0; i < stacks.Count; i++)
                {
                    var stack = stacks[(i + Math.Max(round, 0)) % stacks.Count]; // who goes first alternates
                    var index = stacks.IndexOf(stack);
                    _appHostDll = stack.Dll;
                    _timelineKind = round < 0 ? "unmeasured" : stack.Kind;
                    var elapsed = await AppHostToAllUpAsync(stack.Dir, stack.Port, stack.Extra);
                    if (round >= 0)
                    {
                        seconds[index].Add(elapsed);
                    }
                }
            }

            return (seconds[0], seconds[1]);
        }
        finally
        {
            _appHostDll = null;
            foreach (var stack in stacks)
            {
                var volumes = VolumesOf(stack.Dir, stack.Name);
                Directory.Delete(stack.Dir, recursive: true);
                if (engine is not null)
                {
                    await Run(engine, ["volume", "rm", "-f", .. volumes]);
                }
            }
        }
    }

    private static string? _appHostDll;

    /// <summary>
    /// The volumes a container stack on the state folder <paramref name="dir"/> may have made: the one its stack record names, and
    /// <c>&lt;name&gt;-postgres-data</c>, where a build from before volume names carried the state folder's id (a baseline) made it.
    /// </summary>
    private static string[] VolumesOf(string dir, string name)
    {
        var record = Path.Combine(dir, "stack.json");
        var recorded = File.Exists(record) ? System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))?["containerVolume"]?.GetValue<string>() : null;
        return recorded is null ? [$"{name}-postgres-data"] : [recorded, $"{name}-postgres-data"];
    }

    /// <summary>Every AppHost start's timeline (its STACKMODEL_STARTUP_TIMELINE file), by kind of start: milestone, ms after the spawn.</summary>
    /// <remarks>Jit: what the AppHost's JIT had compiled by then (<c>jit 812 methods 95.3 ms</c>), when it says.</remarks>
    public static Dictionary<string, List<List<(string Milestone, double Milliseconds, string? Jit)>>> Timelines { get; } = new(StringComparer.Ordinal);

    private static string _timelineKind = "warm";

    private static async Task<double> AppHostToAllUpAsync(string stateDirectory, int port, params string[] extraArgs)
    {
        var timeline = Path.Combine(stateDirectory, $"timeline-{Guid.NewGuid():N}.tsv");
        try
        {
            return await AppHostToAllUpAsync(stateDirectory, port, timeline, extraArgs);
        }
        finally
        {
            File.Delete(timeline);
        }
    }

    private static async Task<double> AppHostToAllUpAsync(string stateDirectory, int port, string timelineFile, string[] extraArgs)
    {
        var dll = _appHostDll ?? typeof(Measurements).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AppHostAssembly").Value!;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = [dll, $"--Stack:StateDirectory={stateDirectory}", $"--Stack:Ports:postgres:tcp={port}", "--Stack:WriteEnvFile=false", "--Dashboard:Enabled=false", "--LiteLLM:Runtime=off", .. extraArgs];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["STACKMODEL_STARTUP_TIMELINE"] = timelineFile;
        var spawned = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var up = new TaskCompletionSource<double>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Press Ctrl+C", StringComparison.Ordinal) == true)
            {
                up.TrySetResult(watch.Elapsed.TotalSeconds);
            }
        };
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        double seconds;
        try
        {
            seconds = await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // An AppHost that never came up is stopped here, not left running once the benchmark gives up on it (it would hold its
            // port, its PostgreSQL and whatever the benchmark's parent handed down, such as a lock file descriptor).
            Process.Start("kill", ["-TERM", process.Id.ToString()]).WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
            }

            throw new TimeoutException(
                $"The AppHost ({string.Join(' ', args)}) was not up within 60 s; it was stopped. Its last output:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }

        // SIGTERM, not SIGINT: SIGTERM always stops the stack, while a SIGINT ignored on entry (a benchmark run as a background job or
        // under nohup) stays ignored by design, and the next start would then find the state folder locked.
        Process.Start("kill", ["-TERM", process.Id.ToString()]).WaitForExit();
        await process.WaitForExitAsync();
        if (File.Exists(timelineFile))
        {
            var spawnedMs = spawned.ToUnixTimeMilliseconds() + (spawned.Ticks % TimeSpan.TicksPerMillisecond / (double)TimeSpan.TicksPerMillisecond);
            var marks = File.ReadAllLines(timelineFile)
                .Select(line => line.Split('\t', 3))
                .Where(parts => parts.Length >= 2)
                .Select(parts => (Milestone: parts[1], Milliseconds: double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) - spawnedMs, Jit: parts.Length == 3 ? parts[2] : null))
                .Prepend(("up seen by the benchmark (\"Press Ctrl+C\" read)", seconds * 1000, null))
                .Prepend(("AppHost spawned by the benchmark (dotnet StackModel.AppHost.dll)", 0, null))
                .ToList();
            var kind = _timelineKind;
            if (!Timelines.TryGetValue(kind, out var list))
            {
                Timelines[kind] = list = [];
            }

            list.Add(marks);
        }

        return seconds;
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 40 && output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Prints the median time after the spawn of every milestone of the starts of <paramref name="kind"/>, in order.</summary>
    public static void PrintTimeline(string kind)
    {
        if (!Timelines.TryGetValue(kind, out var starts) || starts.Count == 0)
        {
            return;
        }

        Console.WriteLine($"timeline of the {kind} starts (median ms after the benchmark spawned the AppHost, over {starts.Count} start(s); milestones present in fewer starts are marked):");
        var rows = starts.SelectMany(marks => marks)
            .GroupBy(mark => mark.Milestone, StringComparer.Ordinal)
            .Select(group => (Milestone: group.Key, Median: MedianOf(group.Select(mark => mark.Milliseconds).ToList()), Count: group.Count(), Jit: group.Select(mark => mark.Jit).LastOrDefault(jit => jit is not null)))
            .OrderBy(row => row.Median)
            .ToList();
        var previous = 0.0;
        foreach (var (milestone, median, count, jit) in rows)
        {
            Console.WriteLine($"  {median,7:0} ms  (+{median - previous,5:0})  {milestone}{(count < starts.Count ? $"  [{count} of {starts.Count}]" : string.Empty)}{(jit is null ? string.Empty : $"  ({jit})")}");
            previous = median;
        }
    }

    private static double MedianOf(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Task AsPostgres(string program, params string[] args) =>
        Run("setpriv", ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--reset-env", "/usr/bin/env", "PGPASSWORD=benchmark-password", program, .. args]);

    private static async Task Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PGPASSWORD"] = "benchmark-password";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
