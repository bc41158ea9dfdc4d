using System.Diagnostics;
using System.Globalization;
using StackModel.Benchmarks.Startup;

// Measures the foundation's speed goals in one run on this machine and prints figures and ratios:
//  - cold `dotnet run --project AppHost` (built tree, new state folder) to all resources up, against the cost of
//    initdb + starting the server + two CREATE DATABASE done by hand in the same run;
//  - warm start (existing state) to all up, three times after each cold start;
//  - testing builder CreateAsync -> started -> disposed for the PostgreSQL-only stack.
//  - `containers [rounds] [docker|podman ...]`: warm start of the whole stack on the container runtime (image and volume
//    present) to all settled on each engine named (default: docker and podman), next to the process runtime's warm start
//    (needs eng/containers/install-docker.sh / install-podman.sh, build-images.sh and docker-load-images.sh). With
//    STACKMODEL_BENCH_BASELINE_APPHOST=<another build's StackModel.AppHost.dll>, that build is measured in turns with this one
//    on each engine (A/B in one run) and the ratio printed.
//  - `warm [rounds]`: warm starts on the process runtime only (with STACKMODEL_BENCH_BASELINE_APPHOST, in turns with that build).
//  - with STACKMODEL_BENCH_BASELINE_APPHOST=<another build's StackModel.AppHost.dll>, the cold and warm starts of that build
//    in turns with this tree's, ratios printed (and, in `containers` mode, the container warm starts likewise).
// The testing builder runs in this process: its milestones go to a file of the benchmark's (each AppHost it spawns gets its own).
Environment.SetEnvironmentVariable("STACKMODEL_STARTUP_TIMELINE", Measurements.InProcessTimeline);
if (args.Length > 0 && args[0] == "testing")
{
    // `testing [rounds] [builder arguments]`: only the testing builder's rounds (what a test stack costs), with their timeline.
    var testingRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
    var testingOnly = new List<double>();
    for (var i = 0; i < testingRounds; i++)
    {
        testingOnly.Add(await Measurements.TestingBuilderAsync(args.Length > 2 ? args[2..] : []));
    }

    Console.WriteLine($"testing builder create -> started -> disposed:         {Median(testingOnly):0.000}  ({testingOnly.Min():0.000}-{testingOnly.Max():0.000}; goal <= 1.0 s; {testingRounds} rounds)");
    Measurements.PrintTimeline("testing builder");
    File.Delete(Measurements.InProcessTimeline);
    return;
}

if (args.Length > 0 && args[0] == "warm")
{
    // `warm [rounds]`: warm starts on the process runtime only, this tree's build in turns with STACKMODEL_BENCH_BASELINE_APPHOST's
    // when it is set (a quick A/B of a change to the warm path), with their timelines.
    var warmRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
    var warmBaselineDll = Environment.GetEnvironmentVariable("STACKMODEL_BENCH_BASELINE_APPHOST") is { Length: > 0 } warmBaselinePath ? warmBaselinePath : null;
    var (current, before) = warmBaselineDll is null
        ? (await Measurements.WarmStartsAsync("process", warmRounds), [])
        : await Measurements.WarmStartsComparedAsync(warmRounds, engine: null, warmBaselineDll);
    Console.WriteLine($"warm AppHost start to all up, process runtime:   {Median(current):0.000}  ({current.Min():0.000}-{current.Max():0.000}; goal <= 0.6 s; {warmRounds} rounds)");
    if (warmBaselineDll is not null)
    {
        Console.WriteLine($"  baseline ({warmBaselineDll}): {Median(before):0.000}  ({before.Min():0.000}-{before.Max():0.000}); ratio this tree / baseline {Median(current) / Median(before):0.000}");
    }

    Measurements.PrintTimeline("warm process");
    Measurements.PrintTimeline("warm process, baseline");
    return;
}

if (args.Length > 0 && args[0] == "containers")
{
    var containerRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
    var engines = args.Length > 2 ? args[2..] : ["docker", "podman"];
    var processWarm = await Measurements.WarmStartsAsync("process", containerRounds);
    var containerWarm = new List<(string Engine, List<double> Seconds)>();
    var baselineWarm = new List<(string Engine, List<double> Seconds)>();
    var baselineDll = Environment.GetEnvironmentVariable("STACKMODEL_BENCH_BASELINE_APPHOST") is { Length: > 0 } baselinePath ? baselinePath : null;
    foreach (var engine in engines)
    {
        if (baselineDll is null)
        {
            containerWarm.Add((engine, await Measurements.WarmStartsAsync("container", containerRounds, engine)));
            continue;
        }

        // STACKMODEL_BENCH_BASELINE_APPHOST names another build's StackModel.AppHost.dll: both measured in turns, ratios printed.
        var (current, before) = await Measurements.WarmStartsComparedAsync(containerRounds, engine, baselineDll);
        containerWarm.Add((engine, current));
        baselineWarm.Add((engine, before));
    }

    Console.WriteLine($"rounds: {containerRounds}; medians in seconds (min-max)");
    Console.WriteLine($"warm AppHost start to all up, process runtime:   {Median(processWarm):0.000}  ({processWarm.Min():0.000}-{processWarm.Max():0.000})");
    foreach (var (engine, seconds) in containerWarm)
    {
        Console.WriteLine($"warm AppHost start to all up, container runtime on {engine}: {Median(seconds):0.000}  ({seconds.Min():0.000}-{seconds.Max():0.000})  (goal <= 1.5 s)");
        if (baselineWarm.FirstOrDefault(b => b.Engine == engine).Seconds is { } earlier)
        {
            Console.WriteLine($"  baseline ({baselineDll}) on {engine}: {Median(earlier):0.000}  ({earlier.Min():0.000}-{earlier.Max():0.000}); ratio this tree / baseline {Median(seconds) / Median(earlier):0.00}");
        }
    }

    Measurements.PrintTimeline("warm process");
    foreach (var (engine, _) in containerWarm)
    {
        Measurements.PrintTimeline($"warm container on {engine}");
        Measurements.PrintTimeline($"warm container on {engine}, baseline");
    }

    return;
}

var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var results = new List<(string Name, List<double> Seconds)>();

var baseline = new List<double>();
var cold = new List<double>();
var warm = new List<double>();
// STACKMODEL_BENCH_BASELINE_APPHOST=<another build's StackModel.AppHost.dll>: that build's cold and warm starts are measured in
// turns with this tree's (who goes first alternates by round), and the ratios printed: an A/B comparison in one run.
var appHostBaseline = Environment.GetEnvironmentVariable("STACKMODEL_BENCH_BASELINE_APPHOST") is { Length: > 0 } baselineAppHostPath ? baselineAppHostPath : null;
var appHostBaselineCold = new List<double>();
var appHostBaselineWarm = new List<double>();
for (var i = 0; i < rounds; i++)
{
    baseline.Add(await Measurements.ManualClusterAsync());
    if (appHostBaseline is not null && i % 2 == 1)
    {
        var (baselineColdStart, baselineWarmStarts) = await Measurements.BaselineColdAndWarmAsync(appHostBaseline, warmStarts: 3);
        appHostBaselineCold.Add(baselineColdStart);
        appHostBaselineWarm.AddRange(baselineWarmStarts);
    }

    var (c, w) = await Measurements.AppHostColdAndWarmAsync(warmStarts: 3);
    cold.Add(c);
    warm.AddRange(w);
    if (appHostBaseline is not null && i % 2 == 0)
    {
        var (baselineColdStart, baselineWarmStarts) = await Measurements.BaselineColdAndWarmAsync(appHostBaseline, warmStarts: 3);
        appHostBaselineCold.Add(baselineColdStart);
        appHostBaselineWarm.AddRange(baselineWarmStarts);
    }
}

var testing = new List<double>();
for (var i = 0; i < rounds * 2; i++)
{
    testing.Add(await Measurements.TestingBuilderAsync());
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

Console.WriteLine($"rounds: {rounds} (warm starts: {warm.Count}, testing builder: {rounds * 2}); medians in seconds (min-max)");
Console.WriteLine($"initdb + server start + 2 x CREATE DATABASE (by hand): {Median(baseline):0.000}");
Console.WriteLine($"cold AppHost start to all up:                          {Median(cold):0.000}  (overhead {Median(cold) - Median(baseline):+0.000;-0.000} s, goal <= +0.5 s)");
Console.WriteLine($"warm AppHost start to all up:                          {Median(warm):0.000}  ({warm.Min():0.000}-{warm.Max():0.000}; goal <= 0.6 s)");
Console.WriteLine($"testing builder create -> started -> disposed:         {Median(testing):0.000}  ({testing.Min():0.000}-{testing.Max():0.000}; goal <= 1.0 s)");
if (appHostBaseline is not null)
{
    Console.WriteLine($"baseline ({appHostBaseline}), in turns with this tree's build:");
    Console.WriteLine($"  cold AppHost start to all up:                        {Median(appHostBaselineCold):0.000}  (overhead {Median(appHostBaselineCold) - Median(baseline):+0.000;-0.000} s); ratio this tree / baseline {Median(cold) / Median(appHostBaselineCold):0.000}");
    Console.WriteLine($"  warm AppHost start to all up:                        {Median(appHostBaselineWarm):0.000}  ({appHostBaselineWarm.Min():0.000}-{appHostBaselineWarm.Max():0.000}); ratio this tree / baseline {Median(warm) / Median(appHostBaselineWarm):0.000}");
}

Measurements.PrintTimeline("cold");
Measurements.PrintTimeline("warm");
Measurements.PrintTimeline("cold, baseline");
Measurements.PrintTimeline("warm, baseline");
Measurements.PrintTimeline("testing builder");
File.Delete(Measurements.InProcessTimeline);
