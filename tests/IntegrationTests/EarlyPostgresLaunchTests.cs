using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// A warm start of the real AppHost process launches PostgreSQL from the last start's recorded launch while it builds its model
/// (<see cref="EarlyPostgresLaunch"/>): adopted when the start launches it the same way, stopped otherwise, never launched for a
/// verb or over a server that still runs, and never left running. What happened is read from the AppHost's start-up timeline.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // signals, /proc and file modes
public partial class EarlyPostgresLaunchTests(ITestOutputHelper output)
{
    private const string SpawnedEarly = "postgres spawned early (from the last start's launch record)";
    private const string Adopted = "early postgres adopted";
    private const string Discarded = "early postgres discarded";
    private const string SpawnedAsAlways = "postgres: spawning postgres (cluster found, port free)";

    [RequiresPostgresFact]
    public async Task A_warm_start_adopts_the_server_launched_early_and_the_stack_works_and_stops_it()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await RunOnceAsync(state.Path, port, ct); // creates the cluster; records the launch

        var recordPath = Path.Combine(state.Path, PostgresLaunch.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(recordPath));
        var recorded = PostgresLaunch.TryRead(recordPath);
        Assert.NotNull(recorded);
        Assert.Equal(port, recorded.Port);
        Assert.Contains(port.ToString(CultureInfo.InvariantCulture), recorded.Args);

        var timeline = Path.Combine(state.Path, "timeline.tsv");
        await using (var host = await StartAsync(state.Path, port, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.Contains(SpawnedEarly, marks);
            Assert.Contains(Adopted, marks);
            Assert.DoesNotContain(Discarded, marks);
            Assert.DoesNotContain(SpawnedAsAlways, marks);
            Assert.Matches(@"postgres\s+Healthy", host.Output);

            // The adopted server is the stack's: the databases are provisioned and app_dev migrated through it.
            var pid = PostmasterPid(recorded.DataDirectory);
            Assert.Contains(pid, PostgresProcesses.On(recorded.DataDirectory));
            Assert.True(await Sql.ScalarAsync<long>(SuperUser(state.Path, port, "app_dev"), "SELECT count(*) FROM drizzle.__drizzle_migrations", ct) > 0);
            Assert.Equal(1, await Sql.ScalarAsync<int>(SuperUser(state.Path, port, "litellm_dev"), "SELECT 1", ct));

            host.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
            Assert.False(IsPostgres(pid), $"The adopted server (pid {pid}) outlived its AppHost.");
        }

        Assert.Empty(PostgresProcesses.On(recorded.DataDirectory));
        Assert.True(PostgresLaunch.TryRead(recordPath)!.SameAs(recorded), "The record of an unchanged launch stays as it was.");
    }

    [RequiresPostgresFact]
    public async Task A_changed_port_stops_the_server_launched_early_and_starts_as_always_and_a_removed_record_launches_nothing_early()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await RunOnceAsync(state.Path, port, ct);
        var recordPath = Path.Combine(state.Path, PostgresLaunch.FileName);
        var data = PostgresLaunch.TryRead(recordPath)!.DataDirectory;

        // Another port: the early server (on the recorded port) is stopped, and the stack's own starts on the new one.
        var moved = FreePorts.Next();
        var timeline = Path.Combine(state.Path, "moved.tsv");
        await using (var host = await StartAsync(state.Path, moved, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.Contains(SpawnedEarly, marks);
            Assert.Contains(Discarded, marks);
            Assert.DoesNotContain(Adopted, marks);
            Assert.Contains(SpawnedAsAlways, marks);
            var discarded = DiscardedLine().Match(host.Output);
            Assert.True(discarded.Success, host.Output);
            Assert.Contains($"the port changed from {port} to {moved}", discarded.Value, StringComparison.Ordinal);
            var early = int.Parse(discarded.Groups["pid"].Value, CultureInfo.InvariantCulture);
            Assert.False(IsPostgres(early), $"The server launched early (pid {early}) still runs beside the stack's.");
            Assert.Equal(new[] { PostmasterPid(data) }, PostgresProcesses.On(data));
            Assert.Equal(1, await Sql.ScalarAsync<int>(SuperUser(state.Path, moved, "app_dev"), "SELECT 1", ct));

            host.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        Assert.Empty(PostgresProcesses.On(data));
        Assert.Equal(moved, PostgresLaunch.TryRead(recordPath)!.Port); // the new launch is the one recorded

        // No record: nothing is launched early; the start launches PostgreSQL when its turn comes, and records it again.
        File.Delete(recordPath);
        timeline = Path.Combine(state.Path, "removed.tsv");
        await using (var host = await StartAsync(state.Path, moved, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.DoesNotContain(SpawnedEarly, marks);
            Assert.Contains(SpawnedAsAlways, marks);
            host.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        Assert.Empty(PostgresProcesses.On(data));
        Assert.NotNull(PostgresLaunch.TryRead(recordPath));
    }

    [RequiresPostgresFact]
    public async Task A_verb_never_launches_PostgreSQL_and_a_server_left_running_is_never_launched_over_but_stopped_as_always()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await RunOnceAsync(state.Path, port, ct);
        var data = PostgresLaunch.TryRead(Path.Combine(state.Path, PostgresLaunch.FileName))!.DataDirectory;

        // A verb: everything an early launch needs is there, and nothing is launched.
        var timeline = Path.Combine(state.Path, "env.tsv");
        var env = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "StackModel.AppHost.dll"), "env", $"--Stack:StateDirectory={state.Path}", $"--Stack:Ports:postgres:tcp={port}", "--Stack:WriteEnvFile=false", "--LiteLLM:Runtime=off", "--Stack:Runtime=process" })
        {
            env.ArgumentList.Add(arg);
        }

        env.Environment["STACKMODEL_STARTUP_TIMELINE"] = timeline;
        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(env, stdin: null, ct);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("DATABASE_URL", stdout, StringComparison.Ordinal);
        Assert.NotEmpty(AppHostLaunch.TimelineMarks(timeline)); // the timeline was written: its lack of a spawn is real
        Assert.DoesNotContain(SpawnedEarly, AppHostLaunch.TimelineMarks(timeline));
        Assert.Empty(PostgresProcesses.On(data));

        // A server left running by a killed AppHost (its postmaster.pid is there): no early launch; the start stops it as always.
        await using (var killed = await StartAsync(state.Path, port, Path.Combine(state.Path, "killed.tsv"), ct))
        {
            killed.Signal(NativeMethods.SigKill);
            await killed.WaitForExitAsync(ct);
        }

        var stale = PostmasterPid(data);
        Assert.True(IsPostgres(stale), "The server outlived its killed AppHost.");
        timeline = Path.Combine(state.Path, "after-kill.tsv");
        await using (var host = await StartAsync(state.Path, port, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.DoesNotContain(SpawnedEarly, marks);
            Assert.Contains(SpawnedAsAlways, marks);
            Assert.Contains("left running by an earlier AppHost", host.Output, StringComparison.Ordinal);
            Assert.False(IsPostgres(stale), $"The server left running (pid {stale}) was not stopped.");
            Assert.Equal(new[] { PostmasterPid(data) }, PostgresProcesses.On(data));
            host.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        Assert.Empty(PostgresProcesses.On(data));
    }

    [RequiresPostgresFact]
    public async Task A_record_naming_another_program_or_other_settings_is_never_launched()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await RunOnceAsync(state.Path, port, ct);
        var recordPath = Path.Combine(state.Path, PostgresLaunch.FileName);
        var recorded = PostgresLaunch.TryRead(recordPath)!;

        // A record is never a way to run something else: another program, or postgres with settings this runtime does not give it.
        var marker = Path.Combine(state.Path, "ran");
        PostgresLaunch[] forged =
        [
            recorded with { Program = "/usr/bin/touch", Args = [marker] },
            recorded with { Args = [.. recorded.Args, "-c", "work_mem=77MB"] },
        ];
        for (var i = 0; i < forged.Length; i++)
        {
            File.Delete(recordPath);
            forged[i].Write(recordPath);
            var timeline = Path.Combine(state.Path, $"forged-{i}.tsv");
            await using (var host = await StartAsync(state.Path, port, timeline, ct))
            {
                var marks = AppHostLaunch.TimelineMarks(timeline);
                Assert.DoesNotContain(SpawnedEarly, marks);
                Assert.Contains(SpawnedAsAlways, marks);
                Assert.False(File.Exists(marker), "The program a forged record named was run.");
                Assert.Equal("4MB", await Sql.ScalarAsync<string>(SuperUser(state.Path, port, "postgres"), "SHOW work_mem", ct));
                host.Signal(NativeMethods.SigTerm);
                Assert.Equal(0, await host.WaitForExitAsync(ct));
            }

            Assert.True(PostgresLaunch.TryRead(recordPath)!.SameAs(recorded), "The start records its own launch over a forged one.");
        }

        Assert.Empty(PostgresProcesses.On(recorded.DataDirectory));
    }

    /// <summary>A start to all up and a clean stop (SIGTERM).</summary>
    private async Task RunOnceAsync(string stateDirectory, int port, CancellationToken ct)
    {
        await using var host = await StartAsync(stateDirectory, port, timeline: null, ct);
        host.Signal(NativeMethods.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
    }

    private Task<AppHostProcess> StartAsync(string stateDirectory, int port, string? timeline, CancellationToken ct) =>
        AppHostProcess.StartUpAsync(AppHostLaunch.InTerminal(output).WithTimeline(timeline), stateDirectory, port, ct);

    private static int PostmasterPid(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="pid"/> is a running PostgreSQL process (not a pid reused by something else).</summary>
    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("postgres", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string SuperUser(string stateDirectory, int port, string database) =>
        StateFolderSuperUser.ConnectionString(stateDirectory, port, database);

    [GeneratedRegex(@"\(pid (?<pid>\d+)\) launched early from the last start's launch in \S+ was stopped: [^\r\n]+")]
    private static partial Regex DiscardedLine();
}
