using System.Text.Json.Nodes;
using Npgsql;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Root with the checkout in a private folder (0700 parent, like <c>/root</c> or <c>mktemp -d</c>): PostgreSQL's account cannot
/// enter the state folder, so the cluster lives in a folder it can reach, recorded in the state folder. The real AppHost process.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class PrivateCheckoutTests
{
    [RequiresRootPostgresFact]
    public async Task Under_a_private_parent_the_stack_comes_up_migrates_says_where_its_data_lives_and_Ctrl_C_leaves_no_server()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        await using var host = AppHostProcess.Start(checkout.StateDirectory, FreePorts.Next());
        await host.WaitForOutputAsync("Press Ctrl+C", ct);

        Assert.Matches(@"postgres\s+Healthy", host.Output);
        Assert.Matches(@"migrations\s+Finished\s+exit code 0", host.Output);
        var line = Assert.Single(host.Output.Split('\n'), l => l.Contains("keeps its data in", StringComparison.Ordinal));
        Assert.Contains($"{checkout.OutsideData}, outside the state folder: the account 'postgres' that runs PostgreSQL cannot enter the state folder '{checkout.StateDirectory}'", line, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(checkout.OutsideData, "PG_VERSION")));
        Assert.False(Directory.Exists(Path.Combine(checkout.StateDirectory, "postgres")));
        var pointer = JsonNode.Parse(File.ReadAllText(Path.Combine(checkout.StateDirectory, ClusterLocation.PointerFileName)))!;
        Assert.Equal(checkout.OutsideRoot, pointer["root"]!.GetValue<string>());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(checkout.OutsideRoot));
        Assert.NotEmpty(PostgresProcesses.On(checkout.OutsideRoot));

        host.Signal(NativeMethods.SigInt);

        Assert.Equal(0, await host.WaitForExitAsync(ct));
        Assert.Contains("Stopped.", host.Output, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));
    }

    [RequiresRootPostgresFact]
    public async Task Under_a_private_parent_the_next_start_after_a_kill_stops_the_stale_server_and_keeps_the_data()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        var port = FreePorts.Next();
        await using (var first = AppHostProcess.Start(checkout.StateDirectory, port))
        {
            await first.WaitForOutputAsync("Press Ctrl+C", ct);
            await Sql.ExecuteAsync(AppDev(checkout, port), "CREATE TABLE public.kept (n int); INSERT INTO public.kept SELECT generate_series(1, 25)", ct);
            first.Signal(NativeMethods.SigKill);
            await first.WaitForExitAsync(ct);
        }

        var stale = PostgresProcesses.On(checkout.OutsideRoot);
        Assert.NotEmpty(stale); // the server outlived its AppHost

        await using var second = AppHostProcess.Start(checkout.StateDirectory, port);
        await second.WaitForOutputAsync("Press Ctrl+C", ct);

        Assert.Contains("left running by an earlier AppHost", second.Output, StringComparison.Ordinal);
        Assert.Matches(@"postgres\s+Healthy", second.Output);
        Assert.All(stale, pid => Assert.DoesNotContain(pid, PostgresProcesses.On(checkout.OutsideRoot)));
        Assert.Equal(25L, await Sql.ScalarAsync<long>(AppDev(checkout, port), "SELECT count(*) FROM public.kept", ct));
        second.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await second.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));
    }

    [RequiresRootPostgresFact]
    public async Task Under_a_private_parent_reset_and_reset_recreate_prove_the_target_and_work_with_the_stack_running_or_stopped()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        var port = FreePorts.Next();
        await using (var stack = AppHostProcess.Start(checkout.StateDirectory, port))
        {
            await stack.WaitForOutputAsync("Press Ctrl+C", ct);
            var appDev = AppDev(checkout, port);
            await Sql.ExecuteAsync(appDev, "CREATE TABLE public.probe (n int); INSERT INTO public.probe SELECT generate_series(1, 10)", ct);

            var (resetCode, resetOutput) = await RunVerbAsync(checkout, port, ct, "reset", "app_dev", "--yes");
            Assert.True(resetCode == 0, resetOutput);
            Assert.Contains("Reset 'app_dev': emptied", resetOutput, StringComparison.Ordinal);
            Assert.Equal(0L, await Sql.ScalarAsync<long>(appDev, "SELECT count(*) FROM public.probe", ct));

            var (recreateCode, recreateOutput) = await RunVerbAsync(checkout, port, ct, "reset", "app_dev", "--recreate", "--yes");
            Assert.True(recreateCode == 0, recreateOutput);
            Assert.Contains("Recreated 'app_dev' and ran 'migrations'.", recreateOutput, StringComparison.Ordinal);
            Assert.True(await Sql.ScalarAsync<bool>(appDev, "SELECT to_regclass('public.probe') IS NULL", ct));
            Assert.True(await Sql.ScalarAsync<long>(appDev, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct) > 0);

            stack.Signal(NativeMethods.SigInt);
            Assert.Equal(0, await stack.WaitForExitAsync(ct));
        }

        // Stopped: reset starts the server from the cluster's folder outside the state folder, and stops it again.
        var (code, output) = await RunVerbAsync(checkout, port, ct, "reset", "app_dev", "--yes");

        Assert.True(code == 0, output);
        Assert.Contains("The stack is not running: started its server 'postgres'", output, StringComparison.Ordinal);
        Assert.Contains("Reset 'app_dev': emptied", output, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));
    }

    [RequiresRootPostgresFact]
    public async Task Deleting_the_state_folder_starts_over_only_once_the_data_kept_outside_is_deleted_too()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        var port = FreePorts.Next();
        await using (var first = AppHostProcess.Start(checkout.StateDirectory, port))
        {
            await first.WaitForOutputAsync("Press Ctrl+C", ct);
            first.Signal(NativeMethods.SigInt);
            Assert.Equal(0, await first.WaitForExitAsync(ct));
        }

        Directory.Delete(checkout.StateDirectory, recursive: true);
        Directory.CreateDirectory(checkout.StateDirectory);
        var before = Snapshot(checkout.OutsideRoot);

        await using (var refused = AppHostProcess.Start(checkout.StateDirectory, port))
        {
            await refused.WaitForOutputAsync("has no record of it", ct);
            Assert.Contains($"the state folder '{checkout.StateDirectory}' has no record of it", refused.Output, StringComparison.Ordinal);
            Assert.Contains($"To start over, delete it: rm -rf '{checkout.OutsideRoot}'", refused.Output, StringComparison.Ordinal);
        }

        Assert.Equal(before, Snapshot(checkout.OutsideRoot)); // not reused, not deleted
        Assert.False(File.Exists(Path.Combine(checkout.StateDirectory, ClusterLocation.PointerFileName)));
        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));

        Directory.Delete(checkout.OutsideRoot, recursive: true); // what the message says
        await using var fresh = AppHostProcess.Start(checkout.StateDirectory, port);
        await fresh.WaitForOutputAsync("Press Ctrl+C", ct);
        Assert.Matches(@"migrations\s+Finished\s+exit code 0", fresh.Output);
        fresh.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await fresh.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));
    }

    [RequiresRootPostgresFact]
    public async Task A_test_stack_on_a_state_folder_under_a_private_parent_starts_from_the_cluster_template_and_logs_where_the_data_lives()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        await using (var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>([$"--Stack:StateDirectory={checkout.StateDirectory}"], ct))
        await using (var app = await builder.BuildAsync(ct))
        {
            await app.StartAsync(ct);
            await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

            var log = app.ResourceLogs.GetLines("postgres", 200).Select(l => l.Text).ToList();
            Assert.StartsWith("Runtime: process", log[0], StringComparison.Ordinal);
            Assert.StartsWith($"PostgreSQL's data lives in {checkout.OutsideData}, outside the state folder: the account 'postgres'", log[1], StringComparison.Ordinal);
            Assert.NotEmpty(PostgresProcesses.On(checkout.OutsideRoot));
        }

        Assert.Empty(PostgresProcesses.On(checkout.OutsideRoot));
    }

    [RequiresRootPostgresFact]
    public async Task A_reachable_data_directory_the_account_cannot_reach_either_is_refused_and_nothing_is_created()
    {
        var ct = TestStack.Timeout();
        using var checkout = new PrivateCheckout();
        using var other = new PrivateCheckout();
        var reachable = Path.Combine(other.Parent, "clusters");

        var error = await Assert.ThrowsAsync<StackModel.Hosting.DistributedApplicationException>(
            () => ClusterLocation.ResolveAsync(checkout.StateDirectory, OsUser.Resolve("postgres"), reachable, ct));

        Assert.Contains("nor '" + ClusterLocation.OutsideFolderFor(reachable, checkout.StateDirectory) + "' under Stack:ReachableDataDirectory", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(other.Parent, "clusters")));
        Assert.False(File.Exists(Path.Combine(checkout.StateDirectory, ClusterLocation.PointerFileName)));
    }

    private static string AppDev(PrivateCheckout checkout, int port)
    {
        var secrets = JsonNode.Parse(File.ReadAllText(Path.Combine(checkout.StateDirectory, "secrets.json")))!;
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = "app_dev",
            Username = "app_dev_owner",
            Password = secrets["app_dev-owner-password"]!.GetValue<string>(),
            Pooling = false,
        }.ConnectionString;
    }

    private static async Task<(int ExitCode, string Output)> RunVerbAsync(PrivateCheckout checkout, int port, CancellationToken ct, params string[] verb)
    {
        await using var process = AppHostProcess.Start(checkout.StateDirectory, port, verb);
        return (await process.WaitForExitAsync(ct), process.Output);
    }

    private static string Snapshot(string folder) =>
        string.Join('\n', Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => $"{p} {(File.Exists(p) ? new FileInfo(p).Length + " " + File.GetLastWriteTimeUtc(p).Ticks : "dir")}"));
}
