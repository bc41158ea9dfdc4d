using System.Globalization;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// Two AppHosts started at the same instant on one state folder that already holds a cluster (a warm start: each would start
/// PostgreSQL early, before its model is built, as <see cref="EarlyPostgresLaunch"/> and its container counterpart do): one brings
/// the stack up on the one server of the cluster, the other is refused (exit code 4, naming the first) having started nothing, and
/// nothing outlives the winner. The race is run several times on one folder, so that either AppHost wins and the window between the
/// early start and the state lock is hit (before the process runtime took the lock first, the refused one launched a server on the
/// cluster every time, and in a third of the rounds that server got the cluster and the winner's own early launch failed).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // signals and /proc
public class SimultaneousWarmStartTests(ITestOutputHelper output)
{
    private const int ProcessRounds = 12;
    private const int ContainerRounds = 5;
    private const string Container = "--Stack:Runtime=container";

    [RequiresPostgresFact]
    public async Task Two_AppHosts_started_at_once_on_a_warm_folder_run_one_stack_on_one_server_and_the_refused_one_launches_nothing()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await WarmUpAsync(state.Path, port, [], ct);
        var data = PostgresLaunch.TryRead(Path.Combine(state.Path, PostgresLaunch.FileName))!.DataDirectory;

        await RaceAsync(
            state.Path,
            port,
            ProcessRounds,
            [],
            ("postgres spawned early (from the last start's launch record)", "early postgres adopted"),
            winner =>
            {
                // The one postmaster on the cluster is the winner's child; nothing else runs on the state folder.
                var postmaster = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
                Assert.Equal(new[] { postmaster }, PostgresProcesses.On(data));
                var tree = ProcessTree.Descendants(winner.Id);
                Assert.Contains(postmaster, tree);
                Assert.Empty(OnStateFolder(state.Path).Except(tree.Append(winner.Id)));
                return Task.FromResult(postmaster.ToString(CultureInfo.InvariantCulture));
            },
            () =>
            {
                Assert.Empty(PostgresProcesses.On(data));
                Assert.Empty(OnStateFolder(state.Path));
                return Task.CompletedTask;
            },
            ct);
    }

    [RequiresContainerEngineFact]
    [Trait("Category", "Container")]
    public async Task Two_AppHosts_started_at_once_on_a_warm_folder_on_the_container_runtime_run_one_container_and_the_refused_one_starts_none()
    {
        var ct = TestStack.Timeout();
        await using var stack = new ContainerStackFolder();
        var (state, stackName, port, container, volume) = stack;

        await WarmUpAsync(state.Path, port, [Container], ct);
        await RaceAsync(
            state.Path,
            port,
            ContainerRounds,
            [Container],
            ("postgres container started early (from the stack record)", "early postgres container adopted"),
            async winner =>
            {
                // One container on the volume, running; no AppHost on the state folder but the winner.
                Assert.Equal([$"container {container}", $"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
                var inspect = await ContainerMachine.Engine.RunAsync(["inspect", "--format", "{{.Id}} {{.State.Running}}", container], cancellationToken: ct);
                Assert.True(inspect.Succeeded, inspect.Error);
                Assert.EndsWith(" true", inspect.StandardOutput.Trim(), StringComparison.Ordinal);
                Assert.Equal([winner.Id], OnStateFolder(state.Path));
                return inspect.StandardOutput.Trim();
            },
            async () =>
            {
                Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
                Assert.Empty(OnStateFolder(state.Path));
            },
            ct);
    }

    /// <summary>
    /// Runs <paramref name="rounds"/> races of two AppHosts started at once on the warm folder: exactly one brings the stack up, early
    /// (<paramref name="marks"/>: its server started early, then adopted), on the one server <paramref name="server"/> finds (the same
    /// before and after a pause, a query answered each time); the other exits with code 4 naming the winner and started nothing early;
    /// once the winner stopped, <paramref name="stopped"/> finds nothing left.
    /// </summary>
    private async Task RaceAsync(
        string stateDirectory,
        int port,
        int rounds,
        string[] args,
        (string StartedEarly, string Adopted) marks,
        Func<AppHostProcess, Task<string>> server,
        Func<Task> stopped,
        CancellationToken ct)
    {
        var wins = new int[2];
        for (var round = 1; round <= rounds; round++)
        {
            string[] timelines = [Path.Combine(stateDirectory, $"round-{round}-a.tsv"), Path.Combine(stateDirectory, $"round-{round}-b.tsv")];
            await using var a = AppHostProcess.Start(AppHostLaunch.InTerminal(output).WithTimeline(timelines[0]), stateDirectory, port, args);
            await using var b = AppHostProcess.Start(AppHostLaunch.InTerminal(output).WithTimeline(timelines[1]), stateDirectory, port, args);
            var outcomes = await Task.WhenAll(a.WaitForUpOrExitAsync(ct), b.WaitForUpOrExitAsync(ct));
            Assert.True(
                outcomes.Count(o => o is null) == 1,
                $"Round {round}: not exactly one stack came up (a {Show(outcomes[0])}, b {Show(outcomes[1])}).{Environment.NewLine}{a.Describe()}{Environment.NewLine}{b.Describe()}");
            var w = outcomes[0] is null ? 0 : 1;
            var (winner, loser) = w == 0 ? (a, b) : (b, a);
            wins[w]++;

            // The loser: refused by the state lock, naming the winner, having started no server of its own (not even early).
            Assert.True(outcomes[1 - w] == 4, $"Round {round}: the refused AppHost exited with {outcomes[1 - w]}, not 4.{Environment.NewLine}{loser.Describe()}");
            Assert.Contains($"Another AppHost (pid {winner.Id}) is running on the state folder '{stateDirectory}'", loser.Output, StringComparison.Ordinal);
            var loserMarks = AppHostLaunch.TimelineMarks(timelines[1 - w]);
            Assert.NotEmpty(loserMarks); // its timeline was written: the lack of an early start in it is real
            Assert.DoesNotContain(marks.StartedEarly, loserMarks);

            // The winner: its stack up on the server it started early and adopted, the one server of the cluster; still so after a
            // pause (the loser gone): the same server answers, nothing of the stack stopped.
            var winnerMarks = AppHostLaunch.TimelineMarks(timelines[w]);
            Assert.Contains(marks.StartedEarly, winnerMarks);
            Assert.Contains(marks.Adopted, winnerMarks);
            Assert.Matches(@"postgres\s+Healthy", winner.Output);
            var serving = await server(winner);
            Assert.Equal(1, await Sql.ScalarAsync<int>(StateFolderSuperUser.ConnectionString(stateDirectory, port, "app_dev"), "SELECT 1", ct));
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            Assert.Equal(1, await Sql.ScalarAsync<int>(StateFolderSuperUser.ConnectionString(stateDirectory, port, "app_dev"), "SELECT 1", ct));
            Assert.Equal(serving, await server(winner));
            Assert.DoesNotContain("Stopping the stack", winner.Output, StringComparison.Ordinal);

            winner.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await winner.WaitForExitAsync(ct));
            await stopped();
            output.WriteLine($"Round {round}: AppHost {(w == 0 ? "a" : "b")} (pid {winner.Id}) won; {(w == 0 ? "b" : "a")} (pid {loser.Id}) was refused.");
        }

        output.WriteLine($"Wins over {rounds} rounds: a {wins[0]}, b {wins[1]}.");
    }

    /// <summary>A start that creates the cluster (and the record a warm start reads), to all up, and a clean stop.</summary>
    private async Task WarmUpAsync(string stateDirectory, int port, string[] args, CancellationToken ct)
    {
        await using var host = await AppHostProcess.StartUpAsync(AppHostLaunch.InTerminal(output), stateDirectory, port, ct, args);
        host.Signal(NativeMethods.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
    }

    private static string Show(int? outcome) => outcome is { } code ? $"exited with {code}" : "up";

    /// <summary>Every process whose command line names the state folder (AppHosts, PostgreSQL servers), but this test's.</summary>
    private static int[] OnStateFolder(string stateDirectory) =>
        ProcessTree.All().Where(pid => pid != Environment.ProcessId && ProcessTree.CommandLine(pid).Contains(stateDirectory, StringComparison.Ordinal)).ToArray();
}
