using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// A warm start of the real AppHost process on the container runtime starts PostgreSQL's container while it builds its model
/// (<see cref="EarlyPostgresContainer"/>): taken over when the start runs the same container, removed otherwise, never started while
/// another AppHost holds the state folder, and never left behind. What happened is read from the AppHost's start-up timeline.
/// </summary>
[Trait("Category", "Container")]
public class EarlyPostgresContainerTests(ITestOutputHelper output)
{
    private const string Container = "--Stack:Runtime=container";
    private const string StartedEarly = "postgres container started early (from the stack record)";
    private const string Adopted = "early postgres container adopted";
    private const string Discarded = "early postgres container discarded";

    [RequiresContainerEngineFact]
    public async Task A_warm_start_takes_over_the_container_started_early_which_carries_no_password_and_a_stop_leaves_only_the_volume()
    {
        var ct = TestStack.Timeout();
        await using var stack = new ContainerStackFolder();
        var (state, stackName, port, container, volume) = stack;

        var timeline = Path.Combine(state.Path, "cold.tsv");
        await using (var host = await StartAsync(state.Path, port, timeline, ct))
        {
            Assert.DoesNotContain(StartedEarly, AppHostLaunch.TimelineMarks(timeline)); // a new cluster: nothing to start early
            await StopAsync(host, ct);
        }

        timeline = Path.Combine(state.Path, "warm.tsv");
        await using (var host = await StartAsync(state.Path, port, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.Contains(StartedEarly, marks);
            Assert.Contains(Adopted, marks);
            Assert.DoesNotContain(Discarded, marks);

            // The stack's own container: postgres directly, no secret in its environment, the databases provisioned through it.
            Assert.Equal([$"container {container}", $"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
            var env = await ContainerMachine.Engine.RunAsync(["inspect", "--format", "{{json .Config.Env}}", container], cancellationToken: ct);
            Assert.True(env.Succeeded, env.Error);
            Assert.DoesNotContain("POSTGRES_PASSWORD", env.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(1, await Sql.ScalarAsync<int>(StateFolderSuperUser.ConnectionString(state.Path, port, "app_dev"), "SELECT 1", ct));
            await StopAsync(host, ct);
        }

        Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact]
    public async Task A_changed_port_removes_the_container_started_early_and_a_second_AppHost_on_the_folder_starts_none_and_touches_nothing()
    {
        var ct = TestStack.Timeout();
        await using var stack = new ContainerStackFolder();
        var (state, stackName, port, container, volume) = stack;

        await using (var host = await StartAsync(state.Path, port, timeline: null, ct))
        {
            await StopAsync(host, ct);
        }

        // Another port: the container started early (on the recorded port) is removed, and the stack's own runs on the new one.
        var moved = FreePorts.Next();
        var timeline = Path.Combine(state.Path, "moved.tsv");
        await using (var host = await StartAsync(state.Path, moved, timeline, ct))
        {
            var marks = AppHostLaunch.TimelineMarks(timeline);
            Assert.Contains(StartedEarly, marks);
            Assert.Contains(Discarded, marks);
            Assert.DoesNotContain(Adopted, marks);
            Assert.Contains("started as the AppHost was built was removed", host.Output, StringComparison.Ordinal);
            Assert.Equal([$"container {container}", $"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
            Assert.Equal(1, await Sql.ScalarAsync<int>(StateFolderSuperUser.ConnectionString(state.Path, moved, "app_dev"), "SELECT 1", ct));

            // A second AppHost on the same folder (its record says warm, its port is the running one's): refused, nothing started
            // early, the running stack's container untouched.
            var second = Path.Combine(state.Path, "second.tsv");
            await using (var refused = AppHostProcess.Start(AppHostLaunch.InTerminal(output).WithTimeline(second), state.Path, moved, Container))
            {
                Assert.NotEqual(0, await refused.WaitForExitAsync(ct));
                Assert.Contains("is running on the state folder", refused.Output, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(StartedEarly, AppHostLaunch.TimelineMarks(second));
            Assert.Equal(1, await Sql.ScalarAsync<int>(StateFolderSuperUser.ConnectionString(state.Path, moved, "app_dev"), "SELECT 1", ct));
            Assert.Equal([$"container {container}", $"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
            await StopAsync(host, ct);
        }

        Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
    }

    private Task<AppHostProcess> StartAsync(string stateDirectory, int port, string? timeline, CancellationToken ct) =>
        AppHostProcess.StartUpAsync(AppHostLaunch.InTerminal(output).WithTimeline(timeline), stateDirectory, port, ct, Container);

    private static async Task StopAsync(AppHostProcess host, CancellationToken ct)
    {
        host.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
    }
}
