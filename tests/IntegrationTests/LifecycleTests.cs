using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

public class LifecycleTests
{
    [RequiresPostgresFact]
    public async Task Ctrl_C_stops_every_resource_and_leaves_no_server_running()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        await using var host = AppHostProcess.Start(state.Path, FreePorts.Next());
        await host.WaitForOutputAsync("Press Ctrl+C", ct);
        Assert.NotEmpty(PostgresProcesses.On(state.Path));

        host.Signal(NativeMethods.SigInt);
        var exitCode = await host.WaitForExitAsync(ct);

        Assert.Equal(0, exitCode);
        Assert.Contains("Stopped.", host.Output, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresFact]
    public async Task After_the_AppHost_is_killed_the_next_start_stops_the_stale_server_and_starts_cleanly()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using (var first = AppHostProcess.Start(state.Path, port))
        {
            await first.WaitForOutputAsync("Press Ctrl+C", ct);
            first.Signal(NativeMethods.SigKill);
            await first.WaitForExitAsync(ct);
        }

        var stale = PostgresProcesses.On(state.Path);
        Assert.NotEmpty(stale); // the server outlived its AppHost

        await using var second = AppHostProcess.Start(state.Path, port);
        await second.WaitForOutputAsync("Press Ctrl+C", ct);

        Assert.Contains("left running by an earlier AppHost", second.Output, StringComparison.Ordinal);
        Assert.Matches(@"postgres\s+Healthy", second.Output);
        Assert.All(stale, pid => Assert.DoesNotContain(pid, PostgresProcesses.On(state.Path)));
        second.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await second.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresFact]
    public async Task Disposing_a_test_stack_stops_its_server_and_removes_its_state_folder()
    {
        var ct = TestStack.Timeout();
        string stateDirectory;
        await using (var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct))
        {
            stateDirectory = builder.StateDirectory;
            await using var app = await builder.BuildAsync(ct);
            await app.StartAsync(ct);
            await app.WaitForResourceHealthyAsync("postgres", ct);
            Assert.NotEmpty(PostgresProcesses.On(stateDirectory));
        }

        Assert.Empty(PostgresProcesses.On(stateDirectory));
        Assert.False(Directory.Exists(stateDirectory));
    }

    [RequiresPostgresFact]
    public async Task A_test_stack_never_uses_the_developers_state_folder()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct);
        var declaredPort = builder.Resources.OfType<StackModel.Hosting.Postgres.PostgresServerResource>().Single().Endpoint.Annotation.HostPort; // as Program.cs declares it
        await using var app = await builder.BuildAsync(ct);

        Assert.StartsWith(Path.GetTempPath(), app.StateDirectory, StringComparison.Ordinal);
        Assert.DoesNotContain(".stackmodel", app.StateDirectory, StringComparison.Ordinal);
        Assert.NotEqual(declaredPort, ((StackModel.Hosting.Postgres.PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort);
    }
}
