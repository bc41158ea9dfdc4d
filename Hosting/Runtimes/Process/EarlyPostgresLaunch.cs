using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// A warm start's PostgreSQL server launched as the builder is constructed, from the last start's <see cref="PostgresLaunch"/>
/// record, so that the server starts while the AppHost builds its model instead of after it. Only on the plain run (no verb), not
/// under the testing builder, when the runtime may be the process one, and only when the state folder's lock is free (it is taken
/// here, before anything else is looked at, and kept for the start: no other AppHost can start a server on the cluster meanwhile,
/// and one started at the same instant launches nothing and is refused), the record's cluster exists, no server runs on it (no
/// <c>postmaster.pid</c>) and its port is free: nothing else is done early (no stale server stopped, no initdb, no file written
/// but the lock's pid). <see cref="PostgresProcessRuntime"/> adopts the server when the launch it computes is the same, and stops
/// it otherwise; the application's stop or disposal, an exception out of <c>Program.cs</c> and the process's exit stop a server
/// nobody adopted.
/// </summary>
internal sealed partial class EarlyPostgresLaunch
{
    private const int MaxBacklogLines = 500;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<(string Text, bool IsError)> _backlog = [];
    private readonly Task<ChildProcess?> _spawned;
    private readonly EarlyStateLock _stateLock;
    private Action<string, bool>? _log;
    private bool _settled;

    private EarlyPostgresLaunch(string recordPath, EarlyStateLock stateLock, string? configuredUser, string? binDirectory)
    {
        RecordPath = recordPath;
        _stateLock = stateLock;
        _spawned = Task.Run(() => TrySpawn(configuredUser, binDirectory));
    }

    /// <summary>Gets the file the launch was read from (<c>&lt;state&gt;/postgres-launch</c>).</summary>
    public string RecordPath { get; }

    /// <summary>Gets the recorded launch, once read; <see langword="null"/> when there was none to run.</summary>
    public PostgresLaunch? Launch { get; private set; }

    /// <summary>
    /// Launches the recorded server on a background thread when this start may (see the type); returns <see langword="null"/> when
    /// it may not. Reads <paramref name="configuration"/> here, on the caller's thread.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="configuration">The start's configuration.</param>
    /// <param name="appHostDirectory">The AppHost project's folder.</param>
    /// <param name="stateLock">The state folder's lock, taken before the server is launched and handed to the start.</param>
    public static EarlyPostgresLaunch? TryStart(string[] args, IConfiguration configuration, string appHostDirectory, EarlyStateLock stateLock)
    {
        if (EarlyStart.StateDirectory(args, configuration, appHostDirectory, "process") is not { } stateDirectory)
        {
            return null;
        }

        var recordPath = Path.Combine(stateDirectory, PostgresLaunch.FileName);
        return File.Exists(recordPath) ? new EarlyPostgresLaunch(recordPath, stateLock, configuration["Stack:PostgresUser"], configuration["Stack:PostgresBinDirectory"]) : null;
    }

    /// <summary>
    /// Hands the server over when <paramref name="now"/> (the launch computed by this start) is the recorded one and the server still
    /// runs: its output so far goes to <paramref name="log"/>, then every further line. Otherwise stops it (when it runs) and returns
    /// <see langword="null"/>: the caller starts PostgreSQL as without an early launch. Either way, once.
    /// </summary>
    public async Task<ChildProcess?> AdoptOrDiscardAsync(PostgresLaunch now, Action<string, bool> log, ILogger logger, string resourceName)
    {
        var child = await _spawned.ConfigureAwait(false);
        lock (_gate)
        {
            if (_settled || child is null)
            {
                _settled = true;
                return null;
            }

            _settled = true;
            if (!child.Exited.IsCompleted && Launch!.SameAs(now))
            {
                _log = log;
                foreach (var (text, isError) in _backlog)
                {
                    log(text, isError);
                }

                _backlog.Clear();
                Unregister();
                StartupTimeline.Mark("early postgres adopted");
                LogAdopted(logger, resourceName, child.Id, RecordPath);
                log($"Started early (pid {child.Id}) from the last start's launch in {RecordPath}, while the AppHost built its model.", false);
                return child;
            }
        }

        string reason;
        if (child.Exited.IsCompleted)
        {
            string? last;
            lock (_gate)
            {
                last = _backlog.Count > 0 ? _backlog[^1].Text : null;
            }

            reason = $"it exited with code {child.Exited.Result} before it was needed{(last is null ? string.Empty : $" ({last})")}; this start launches PostgreSQL as without it";
        }
        else
        {
            reason = $"this start launches it differently: {Launch!.Difference(now)}";
        }

        await StopAsync(child, reason, logger, resourceName).ConfigureAwait(false);
        return null;
    }

    /// <summary>Stops the server unless it was adopted (the stack stopped first, or PostgreSQL runs elsewhere).</summary>
    public async Task DiscardAsync(string reason, ILogger? logger, string resourceName = "postgres")
    {
        var child = await _spawned.ConfigureAwait(false);
        lock (_gate)
        {
            if (_settled)
            {
                return;
            }

            _settled = true;
        }

        if (child is not null)
        {
            await StopAsync(child, reason, logger, resourceName).ConfigureAwait(false);
        }
    }

    private ChildProcess? TrySpawn(string? configuredUser, string? binDirectory)
    {
        try
        {
            var launch = PostgresLaunch.TryRead(RecordPath);
            if (launch is null)
            {
                return null;
            }

            // The lock first, held from here on and handed to the start: another AppHost started at the same instant on this folder
            // finds it taken and launches nothing (its start is refused), so no second server is ever launched on the cluster, and the
            // checks below (no server on the cluster, the port free) hold until this server is adopted.
            if (!_stateLock.TryTake(Path.GetDirectoryName(RecordPath)!))
            {
                return null; // another AppHost runs on this folder (its start says so), or the start went ahead without this launch
            }

            StartupTimeline.Mark("early postgres: state folder locked");
            if (!MayRun(launch, configuredUser, binDirectory))
            {
                return null;
            }

            Launch = launch;
            lock (_gate)
            {
                if (_settled)
                {
                    return null; // the stack stopped before this thread ran
                }

                AppDomain.CurrentDomain.ProcessExit += OnProcessEnding;
                AppDomain.CurrentDomain.UnhandledException += OnProcessEnding;
                var child = ChildProcess.Start(launch.Program, launch.Args, launch.WorkingDirectory, new Dictionary<string, string?>(), OnLine);
                StartupTimeline.Mark("postgres spawned early (from the last start's launch record)");
                return child;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing launched early: the start launches PostgreSQL as it always does, and says why if that fails too.
            Unregister();
            return null;
        }
    }

    /// <summary>
    /// Whether the recorded launch may run now: it is exactly the launch this runtime makes for its cluster (the postgres binary found
    /// now, unchanged, run as the account configured now, with this runtime's arguments and nothing else: a record is never a way to
    /// run another program or other settings), the cluster is the state folder's own or one it points to, it exists, no server runs
    /// on it, and its port is free.
    /// </summary>
    private bool MayRun(PostgresLaunch launch, string? configuredUser, string? binDirectory)
    {
        var stateDirectory = Path.GetDirectoryName(RecordPath)!;
        var location = new ClusterLocation(launch.WorkingDirectory, External: false, Reason: null);
        var expected = PostgresProcessRuntime.LaunchFor(
            PostgresBinaries.Locate(binDirectory), OsUser.Resolve(configuredUser is { Length: > 0 } name ? name : StackOptions.DefaultPostgresUser), location, launch.Port, testCluster: false);
        return launch.SameAs(expected)
            && (launch.DataDirectory == ClusterLocation.InStateFolder(stateDirectory).Data || File.Exists(Path.Combine(stateDirectory, ClusterLocation.PointerFileName)))
            && File.Exists(Path.Combine(launch.DataDirectory, "PG_VERSION"))
            && !File.Exists(Path.Combine(launch.DataDirectory, "postmaster.pid"))
            && PortOwner.IsFree(launch.Port);
    }

    private void OnLine(string text, bool isError)
    {
        lock (_gate)
        {
            if (_log is { } log)
            {
                log(text, isError);
            }
            else if (_backlog.Count < MaxBacklogLines)
            {
                _backlog.Add((text, isError));
            }
        }
    }

    /// <summary>The process ends (Main returned, <c>Environment.Exit</c>, an unhandled exception) with the server not adopted: it must not outlive the AppHost.</summary>
    private void OnProcessEnding(object? sender, EventArgs e) =>
        DiscardAsync("the AppHost ended before PostgreSQL's start took it over", logger: null).GetAwaiter().GetResult();

    private void Unregister()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessEnding;
        AppDomain.CurrentDomain.UnhandledException -= OnProcessEnding;
    }

    private async Task StopAsync(ChildProcess child, string reason, ILogger? logger, string resourceName)
    {
        Unregister();
        StartupTimeline.Mark("early postgres discarded");
        if (logger is not null)
        {
            LogDiscarded(logger, resourceName, child.Id, RecordPath, reason);
        }

        // SIGINT: PostgreSQL's fast shutdown (a server that may still be starting stops cleanly).
        await child.StopAsync(NativeMethods.SigInt, StopTimeout).ConfigureAwait(false);
        await child.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = LogEvents.EarlyPostgresAdopted, Level = LogLevel.Debug, Message = "PostgreSQL '{ResourceName}' (pid {ProcessId}) was launched early from the last start's launch in {RecordPath} and is adopted: this start launches it the same way")]
    private static partial void LogAdopted(ILogger logger, string resourceName, int processId, string recordPath);

    [LoggerMessage(EventId = LogEvents.EarlyPostgresDiscarded, Level = LogLevel.Information, Message = "PostgreSQL '{ResourceName}' (pid {ProcessId}) launched early from the last start's launch in {RecordPath} was stopped: {Reason}")]
    private static partial void LogDiscarded(ILogger logger, string resourceName, int processId, string recordPath, string reason);
}
