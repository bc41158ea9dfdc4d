using System.Globalization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// Where a test stack's throw-away state folder (and so its cluster) lives: RAM-backed <c>/dev/shm</c> when it exists and has
/// <see cref="MinimumFreeBytes"/> free, otherwise the temporary folder; <see cref="RootVariable"/> names another folder. Only test
/// stacks whose state folder the testing builder creates (and deletes) live here; a developer's stack never does.
/// </summary>
/// <remarks>
/// Measured with benchmarks/TestDatabaseBenchmark (README, "Testing your app"): a clone of the app template and its drop cost the
/// cluster about a third of the CPU in RAM than on disk, and wait on no writeback of other processes' files.
/// </remarks>
internal static class TestClusterStorage
{
    /// <summary>An environment variable naming the folder test stacks create their state folders in (e.g. a disk folder).</summary>
    public const string RootVariable = "STACKMODEL_TEST_STATE_ROOT";

    /// <summary>The RAM-backed folder preferred on Linux.</summary>
    public const string SharedMemory = "/dev/shm";

    /// <summary>
    /// The free space <c>/dev/shm</c> needs to be used: a test cluster with its templates, a pool of clones, drops waiting and its
    /// write-ahead log takes a few hundred MiB, and test classes run their stacks side by side. Docker gives a container 64 MiB.
    /// </summary>
    public const long MinimumFreeBytes = 1L << 30;

    /// <summary>The folder a cluster of a test stack in RAM is placed in when PostgreSQL's account cannot enter the state folder (root).</summary>
    public const string ReachableInSharedMemory = SharedMemory + "/stackmodel-clusters";

    /// <summary>Chooses the folder to create a test stack's state folder in, and says why in words for the server's log.</summary>
    public static (string Root, bool InRam, string Reason) Choose()
    {
        if (Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } configured)
        {
            var full = Path.GetFullPath(configured);
            return (full, IsSharedMemory(full), $"{RootVariable}={configured}");
        }

        var temp = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);
        if (!OperatingSystem.IsLinux() || !Directory.Exists(SharedMemory))
        {
            return (temp, false, $"{SharedMemory} does not exist here");
        }

        long free;
        try
        {
            free = new DriveInfo(SharedMemory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (temp, false, $"the free space of {SharedMemory} could not be read ({ex.Message})");
        }

        return free >= MinimumFreeBytes
            ? (SharedMemory, true, string.Create(CultureInfo.InvariantCulture, $"{SharedMemory} is RAM-backed and has {free >> 20} MiB free"))
            : (temp, false, string.Create(CultureInfo.InvariantCulture,
                $"{SharedMemory} has only {free >> 20} MiB free, less than the {MinimumFreeBytes >> 20} MiB a test cluster may need (a container's default is 64 MiB: run it with --shm-size=1g, or set {RootVariable})"));
    }

    /// <summary>Describes where a test cluster's data folder is, for the server's log.</summary>
    public static string Describe(string dataDirectory)
    {
        if (IsSharedMemory(dataDirectory))
        {
            return $"its data lives in RAM ({dataDirectory}, on {SharedMemory})";
        }

        var (_, inRam, reason) = Choose();
        return inRam
            ? $"its data lives in {dataDirectory} (not in RAM: its state folder was given, or placed elsewhere)"
            : $"its data lives on disk in {dataDirectory} (not in RAM: {reason})";
    }

    private static bool IsSharedMemory(string path) =>
        OperatingSystem.IsLinux() && (path == SharedMemory || path.StartsWith(SharedMemory + "/", StringComparison.Ordinal));
}
