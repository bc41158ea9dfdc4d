using System.Globalization;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// Runs PostgreSQL as a local process from the machine's binaries: <c>initdb</c> into the state folder on first start
/// (scram-sha-256, the generated superuser password), then <c>postgres</c> bound to 127.0.0.1 on the host port with its
/// own socket folder. Under root both run as an unprivileged account (<see cref="OsUser"/>); when that account cannot
/// enter the state folder, the cluster lives in a folder it can reach (<see cref="ClusterLocation"/>).
/// </summary>
/// <param name="options">The stack's settings.</param>
/// <param name="logger">Where the runtime logs.</param>
/// <param name="early">The server launched from the last start's record as the builder was constructed, if any (adopted or stopped here).</param>
internal sealed partial class PostgresProcessRuntime(StackOptions options, ILogger<PostgresProcessRuntime> logger, EarlyPostgresLaunch? early = null) : IPostgresRuntime
{
    /// <summary>Starts a program with variables added to its environment (a test cluster's postgres, with LD_BIND_NOW).</summary>
    private const string BindNowLauncher = "/usr/bin/env";

    public string Name => "process";

    public async Task<PostgresServerHandle> StartAsync(PostgresStartRequest request, CancellationToken cancellationToken = default)
    {
        var binaries = PostgresBinaries.Locate(options.PostgresBinDirectory);
        var user = OsUser.Resolve(options.PostgresUser);
        var location = await ClusterLocation.ResolveAsync(request.StateDirectory, user, options.ReachableDataDirectory, cancellationToken).ConfigureAwait(false);
        var root = location.Root;
        var data = location.Data;
        var sockets = location.Sockets;
        Directory.CreateDirectory(root);
        if (location.External)
        {
            LogDataOutside(logger, request.ResourceName, data, location.Reason ?? "recorded in the state folder");
            request.Log($"PostgreSQL's data lives in {data}, outside the state folder: {location.Reason ?? "recorded in the state folder"} (recorded in {ClusterLocation.PointerFileName}).", false);
        }

        var created = false;
        string? entryPassword = null;
        Task? synced = null;
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            if (Directory.Exists(data) && Directory.EnumerateFileSystemEntries(data).Any())
            {
                throw new DistributedApplicationException(
                    $"'{data}' is not empty but holds no PostgreSQL cluster (no PG_VERSION). It was left untouched. Move it away, or point Stack:StateDirectory elsewhere.");
            }

            if (options.TestCluster && options.ClusterCacheDirectory is { Length: > 0 } cache)
            {
                // A test cluster is a copy of a cached pristine one (initdb once per binaries and arguments); its password is replaced at start.
                var watch = System.Diagnostics.Stopwatch.StartNew();
                (var entry, entryPassword) = await ClusterCache.CopyAsync(
                    cache, binaries, user, data, (r, d, password, ct) => InitDbAsync(binaries, user, r, d, password, ClusterCache.EntryInitDbArguments, request.ResourceName, request.Log, ct), cancellationToken).ConfigureAwait(false);
                var elapsed = (long)watch.Elapsed.TotalMilliseconds;
                LogCopiedFromCache(logger, request.ResourceName, entry, elapsed);
                request.Log($"A test cluster: its cluster was copied from the cache at {entry} in {elapsed} ms instead of running initdb (the developer's own stack always runs initdb); its superuser gets the stack's own password at start.", false);
            }
            else
            {
                await InitDbAsync(binaries, user, root, data, request.SuperUserPassword, ClusterCache.InitDbArguments, request.ResourceName, request.Log, cancellationToken).ConfigureAwait(false);

                // initdb ran with --no-sync (an fsync of every file it wrote, one by one); one sync of the data folder's file system
                // makes the new cluster as safe on disk as initdb's own would, while the server starts. Awaited before the server is
                // handed over (below), so nothing is written into the cluster before its files are on disk.
                synced = Task.Run(() => SyncDataFolder(data, request.ResourceName), CancellationToken.None);
            }

            created = true;
            StartupTimeline.Mark(entryPassword is null ? $"{request.ResourceName}: cluster created (initdb)" : $"{request.ResourceName}: cluster copied from the cache");
        }

        var launch = LaunchFor(binaries, user, location, request.HostPort, options.TestCluster);

        // Before the stale server is looked for: that server could be the one launched early for this very start.
        var child = early is null ? null : await early.AdoptOrDiscardAsync(launch, request.Log, logger, request.ResourceName).ConfigureAwait(false);
        if (child is null)
        {
            child = await SpawnAsync(user, root, data, sockets, launch, request, cancellationToken).ConfigureAwait(false);
        }

        LogServerStarted(logger, request.ResourceName, child.Id, data);
        var recordPath = Path.Combine(request.StateDirectory, PostgresLaunch.FileName);
        try
        {
            await PostmasterPidFile.WaitUntilReadyAsync(data, child.Id, child.Exited, options.StartupTimeout, cancellationToken).ConfigureAwait(false);
            StartupTimeline.Mark($"{request.ResourceName}: postmaster.pid says ready");
            RecordLaunch(launch, recordPath, data, child);
            if (synced is not null)
            {
                await synced.ConfigureAwait(false);
                StartupTimeline.Mark($"{request.ResourceName}: new cluster synced to disk");
            }

            if (entryPassword is not null)
            {
                await ClusterCache.ReplacePasswordAndNameSparesAsync(request.HostPort, entryPassword, request.SuperUserPassword, request.Databases, child.Exited, options.StartupTimeout, cancellationToken).ConfigureAwait(false);
                StartupTimeline.Mark($"{request.ResourceName}: superuser password replaced");
            }
        }
        catch
        {
            // Cancelled or failed before the caller got a handle: nobody else could stop this server, and its launch is not one to repeat early.
            PostgresLaunch.Delete(recordPath);
            await StopAsync(child, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new PostgresServerHandle(created, request.HostPort, child.Exited, ct => StopAsync(child, ct));
    }

    /// <summary>
    /// How this runtime launches the server of the cluster at <paramref name="location"/>: the program (postgres, run as
    /// <paramref name="user"/>), every argument, the folder and the binary's fingerprint. An early launch runs a recorded launch only
    /// when it is this one (<see cref="EarlyPostgresLaunch"/>).
    /// </summary>
    internal static PostgresLaunch LaunchFor(PostgresBinaries binaries, OsUser user, ClusterLocation location, int port, bool testCluster)
    {
        var (root, data, sockets) = (location.Root, location.Data, location.Sockets);
        var args = new List<string>
        {
            "-D", data,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={SocketDirectoryFor(sockets)}",
        };
        if (OperatingSystem.IsLinux())
        {
            // After a crash (kill -9) PostgreSQL syncs the data folder before recovery: one syncfs call instead of an fsync of
            // every file. Measured on a restart after kill -9 under load: 4.2–4.5 s with fsync (the default), 0.9–1.3 s with syncfs.
            args.AddRange(["-c", "recovery_init_sync_method=syncfs"]);
        }

        if (testCluster)
        {
            // A test stack's cluster lives and dies with its temporary state folder: nothing in it is worth a disk flush.
            // Measured with benchmarks/TestDatabaseBenchmark (README, "Testing your app").
            // PostgreSQL 15 checkpoints on every CREATE and DROP DATABASE, so per-test databases would log two lines for each.
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "log_checkpoints=off"]);
        }

        var (program, wrapped) = user.Wrap(binaries.Postgres, args);
        if (testCluster && OperatingSystem.IsLinux() && File.Exists(BindNowLauncher))
        {
            // A test cluster starts a server process per test database (each a fork of the postmaster). With LD_BIND_NOW the dynamic
            // linker resolves every symbol once, in the postmaster, which each fork inherits, instead of each process resolving (and
            // copying the pages of) the symbols it calls. Measured on 100 isolated tests: ratio 0.93 (README, "Testing your app").
            (program, wrapped) = user.Wrap(BindNowLauncher, ["LD_BIND_NOW=1", binaries.Postgres, .. args]);
        }

        var account = user.SwitchUser ? user.Name : Environment.UserName;
        return new PostgresLaunch(program, wrapped, root, data, port, account, PostgresLaunch.Fingerprint(binaries.Postgres));
    }

    /// <summary>Starts the server as without an early launch: a server left running on the cluster stopped first, the port checked.</summary>
    private async Task<ChildProcess> SpawnAsync(OsUser user, string root, string data, string sockets, PostgresLaunch launch, PostgresStartRequest request, CancellationToken cancellationToken)
    {
        await StopStaleServerAsync(data, request, cancellationToken).ConfigureAwait(false);
        PrepareFolder(sockets, user);

        if (!PortOwner.IsFree(request.HostPort))
        {
            var holder = PortOwner.Describe(request.HostPort);
            throw new DistributedApplicationException(
                $"Port {request.HostPort} on 127.0.0.1 is held by {holder ?? "a process this stack did not start"}. The stack never connects to a server it did not start. " +
                "Stop that process, or change the port of 'postgres' in AppHost/Program.cs.");
        }

        if (options.TestCluster)
        {
            LogTestCluster(logger, request.ResourceName);
            request.Log("A test cluster: PostgreSQL runs with fsync=off, synchronous_commit=off, full_page_writes=off (its data is thrown away with the test stack; never used for the developer's own stack).", false);
            request.Log($"A test cluster: {TestClusterStorage.Describe(data)}.", false);
            if (launch.Args.Contains("LD_BIND_NOW=1"))
            {
                request.Log("A test cluster: PostgreSQL runs with LD_BIND_NOW=1 and log_checkpoints=off (a server process per test database; never used for the developer's own stack).", false);
            }
        }

        StartupTimeline.Mark($"{request.ResourceName}: spawning postgres (cluster found, port free)");
        var child = ChildProcess.Start(launch.Program, launch.Args, root, new Dictionary<string, string?>(), request.Log);
        StartupTimeline.Mark($"{request.ResourceName}: postgres spawned");
        return child;
    }

    /// <summary>Records the launch of a server that reached ready, for the next start to launch early (never a test cluster's).</summary>
    private void RecordLaunch(PostgresLaunch launch, string recordPath, string data, ChildProcess child)
    {
        if (options.TestCluster || !PostmasterPidFile.IsReady(Path.Combine(data, "postmaster.pid"), child.Id))
        {
            return;
        }

        try
        {
            launch.Write(recordPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PostgresLaunch.Delete(recordPath); // the next start launches PostgreSQL when its turn comes, as without a record
        }
    }

    private async Task StopAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        // SIGINT is PostgreSQL's fast shutdown: running transactions are rolled back, a shutdown checkpoint is written, the server exits.
        // A test cluster whose data is deleted next skips the checkpoint: SIGQUIT, the immediate shutdown (nothing of it is kept).
        var signal = options.TestCluster && options.DiscardClusterOnStop ? NativeMethods.SigQuit : NativeMethods.SigInt;
        StartupTimeline.Mark(signal == NativeMethods.SigQuit ? "postgres: stopping (immediate, the cluster is thrown away)" : "postgres: stopping");
        await child.StopAsync(signal, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        await child.DisposeAsync().ConfigureAwait(false);
        StartupTimeline.Mark("postgres: stopped");
    }

    private static string SocketDirectoryFor(string preferred) =>
        // A Unix socket path is limited to 107 bytes; fall back to /tmp for deep state folders.
        preferred.Length + "/.s.PGSQL.65535".Length < 100 ? preferred : Path.GetTempPath().TrimEnd('/');

    private static void PrepareFolder(string path, OsUser user)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        user.TakeOwnership(path);
    }

    private async Task InitDbAsync(PostgresBinaries binaries, OsUser user, string root, string data, string superUserPassword, IReadOnlyList<string> initDbArguments, string resourceName, Action<string, bool> log, CancellationToken cancellationToken)
    {
        PrepareFolder(data, user);
        var passwordFile = Path.Combine(root, ".initdb-password");
        await File.WriteAllTextAsync(passwordFile, superUserPassword + "\n", cancellationToken).ConfigureAwait(false);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            user.TakeOwnership(passwordFile);
            var (program, args) = user.Wrap(binaries.InitDb, ["-D", data, "--pwfile", passwordFile, .. initDbArguments]);
            var output = new List<string>();
            LogInitDb(logger, resourceName, data);
            await using var child = ChildProcess.Start(program, args, root, new Dictionary<string, string?>(), (line, isError) =>
            {
                lock (output)
                {
                    output.Add(line);
                }

                log(line, isError);
            });
            var exitCode = await child.Exited.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new DistributedApplicationException(
                    $"initdb failed with exit code {exitCode} for '{data}':{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(10))}{Environment.NewLine}" +
                    "Fix the cause above and start again; the empty data folder can be removed safely.");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Writes the new cluster's files to disk (initdb ran with --no-sync): one sync of the file system holding <paramref name="data"/>.</summary>
    private static void SyncDataFolder(string data, string resourceName)
    {
        try
        {
            NativeMethods.SyncFileSystem(data);
        }
        catch (IOException ex)
        {
            throw new DistributedApplicationException(
                $"The new PostgreSQL cluster of '{resourceName}' in '{data}' could not be written to disk ({ex.Message}). Its files may be incomplete after a crash: " +
                "check the disk (dmesg, free space), then stop the AppHost, delete that data folder and start again to create the cluster anew.", ex);
        }
    }

    /// <summary>Stops a server an earlier AppHost left running on this data folder (killed with -9, say), so this start is clean.</summary>
    private async Task StopStaleServerAsync(string data, PostgresStartRequest request, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !NativeMethods.ProcessExists(pid) || !IsPostmasterOf(pid, data))
        {
            return; // PostgreSQL itself ignores a stale postmaster.pid whose process is gone.
        }

        LogStaleServer(logger, request.ResourceName, pid, data);
        request.Log($"Stopping the server left running by an earlier AppHost (pid {pid}).", false);
        _ = NativeMethods.Kill(pid, NativeMethods.SigInt);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (NativeMethods.ProcessExists(pid) && IsPostmasterOf(pid, data))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new DistributedApplicationException(
                    $"The server left running on '{data}' (pid {pid}) did not stop within 30 s. Stop it (kill -INT {pid}) and start again.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsPostmasterOf(int pid, string data)
    {
        try
        {
            var cwd = new FileInfo($"/proc/{pid}/cwd").LinkTarget;
            return cwd is null || Path.GetFullPath(cwd) == Path.GetFullPath(data);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    [LoggerMessage(EventId = LogEvents.CreatingCluster, Level = LogLevel.Information, Message = "Creating the PostgreSQL cluster of '{ResourceName}' in {DataDirectory}")]
    private static partial void LogInitDb(ILogger logger, string resourceName, string dataDirectory);

    [LoggerMessage(EventId = LogEvents.PostgresProcessStarted, Level = LogLevel.Debug, Message = "Started PostgreSQL '{ResourceName}' as pid {ProcessId} on {DataDirectory}")]
    private static partial void LogServerStarted(ILogger logger, string resourceName, int processId, string dataDirectory);

    [LoggerMessage(EventId = LogEvents.ClusterDataOutsideStateFolder, Level = LogLevel.Information, Message = "PostgreSQL '{ResourceName}' keeps its data in {DataDirectory}, outside the state folder: {Reason}")]
    private static partial void LogDataOutside(ILogger logger, string resourceName, string dataDirectory, string reason);

    [LoggerMessage(EventId = LogEvents.TestClusterWithoutDurability, Level = LogLevel.Information, Message = "PostgreSQL '{ResourceName}' is a test cluster: it runs with fsync=off, synchronous_commit=off, full_page_writes=off")]
    private static partial void LogTestCluster(ILogger logger, string resourceName);

    [LoggerMessage(EventId = LogEvents.ClusterCopiedFromCache, Level = LogLevel.Information, Message = "PostgreSQL '{ResourceName}' is a test cluster: its cluster was copied from the cache at {Entry} in {ElapsedMilliseconds} ms instead of running initdb")]
    private static partial void LogCopiedFromCache(ILogger logger, string resourceName, string entry, long elapsedMilliseconds);

    [LoggerMessage(EventId = LogEvents.StalePostgresProcessStopped, Level = LogLevel.Warning, Message = "Stopping the PostgreSQL server of '{ResourceName}' left running by an earlier AppHost (pid {ProcessId}, {DataDirectory})")]
    private static partial void LogStaleServer(ILogger logger, string resourceName, int processId, string dataDirectory);
}
