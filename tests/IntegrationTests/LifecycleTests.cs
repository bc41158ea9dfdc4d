using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

public class LifecycleTests(ITestOutputHelper output)
{
    [RequiresPostgresTheory]
    [InlineData(NativeMethods.SigInt)]
    [InlineData(NativeMethods.SigTerm)]
    [InlineData(NativeMethods.SigHup)]
    public async Task Ctrl_C_SIGTERM_and_SIGHUP_each_stop_every_resource_and_leave_no_server_running(int signal)
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        await using var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, FreePorts.Next());
        await host.WaitForOutputAsync("Press Ctrl+C to stop the stack.", ct);
        Assert.NotEmpty(PostgresProcesses.On(state.Path));

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        host.Signal(signal);
        var exitCode = await host.WaitForExitAsync(ct);
        output.WriteLine($"Signal {signal}: the AppHost stopped the stack and exited after {stopping.Elapsed.TotalSeconds:0.000} s.");

        Assert.Equal(0, exitCode);
        Assert.Contains("Stopping the stack...", host.Output, StringComparison.Ordinal);
        Assert.Contains("Stopped.", host.Output, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresTheory]
    [InlineData("INT,QUIT", NativeMethods.SigInt)] // bash -c 'dotnet run --project AppHost &'
    [InlineData("HUP", NativeMethods.SigHup)] // nohup dotnet run --project AppHost
    public async Task A_stack_started_in_the_background_or_under_nohup_keeps_that_signal_ignored_and_stops_cleanly_on_SIGTERM(string ignoredAtStart, int ignoredSignal)
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        await using var host = AppHostProcess.Start(new AppHostLaunch(output, ignoredAtStart), state.Path, FreePorts.Next());
        await host.WaitForOutputAsync(AppHostProcess.StackUp, ct);
        Assert.NotEmpty(PostgresProcesses.On(state.Path));

        // What the caller asked for stays: the signal is still ignored, not caught; SIGTERM is caught.
        Assert.True(ProcessTree.HasSignal(host.Id, "SigIgn", ignoredSignal), $"signal {ignoredSignal} is no longer ignored.{Environment.NewLine}{host.Describe()}");
        Assert.False(ProcessTree.HasSignal(host.Id, "SigCgt", ignoredSignal));
        Assert.True(ProcessTree.HasSignal(host.Id, "SigCgt", NativeMethods.SigTerm));
        if (ignoredSignal == NativeMethods.SigInt)
        {
            Assert.Contains($"Use kill {host.Id} (SIGTERM) to stop the stack", host.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("Press Ctrl+C to stop the stack.", host.Output, StringComparison.Ordinal);
        }

        host.Signal(ignoredSignal);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.DoesNotContain("Stopping the stack", host.Output, StringComparison.Ordinal);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        host.Signal(NativeMethods.SigTerm); // kill PID
        Assert.Equal(0, await host.WaitForExitAsync(ct));
        output.WriteLine($"Ignored at start: {ignoredAtStart}; SIGTERM stopped the stack, exit after {stopping.Elapsed.TotalSeconds:0.000} s.");
        Assert.Contains("Stopped.", host.Output, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresFact]
    public async Task After_the_AppHost_is_killed_the_next_start_stops_the_stale_server_and_starts_cleanly()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using (var first = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port))
        {
            await first.WaitForOutputAsync(AppHostProcess.StackUp, ct);

            // No child of the AppHost holds the AppHost's own stdin/stdout/stderr pipes: a PostgreSQL server outlives a killed
            // AppHost by design, and a holder of its output would keep the end of that output (and WaitForExitAsync) open.
            var own = ProcessTree.FileDescriptors(first.Id).Where(fd => fd.Key <= 2).Select(fd => fd.Value).ToHashSet(StringComparer.Ordinal);
            Assert.All(own, target => Assert.StartsWith("pipe:", target, StringComparison.Ordinal));
            var children = ProcessTree.Descendants(first.Id);
            Assert.NotEmpty(children);
            Assert.All(children, pid => Assert.DoesNotContain(ProcessTree.FileDescriptors(pid).Values, own.Contains));

            var killed = System.Diagnostics.Stopwatch.StartNew();
            first.Signal(NativeMethods.SigKill);
            using var prompt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            prompt.CancelAfter(TimeSpan.FromSeconds(20)); // a hang, not a speed bound: the exit of a killed process is immediate
            await first.WaitForExitAsync(prompt.Token);
            output.WriteLine($"After kill -9 the AppHost's exit and end of output were seen after {killed.Elapsed.TotalSeconds:0.000} s; {children.Count} child processes checked.");
        }

        var stale = PostgresProcesses.On(state.Path);
        Assert.NotEmpty(stale); // the server outlived its AppHost

        await using var second = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port);
        await second.WaitForOutputAsync(AppHostProcess.StackUp, ct);

        Assert.Contains("left running by an earlier AppHost", second.Output, StringComparison.Ordinal);
        Assert.Matches(@"postgres\s+Healthy", second.Output);
        Assert.All(stale, pid => Assert.DoesNotContain(pid, PostgresProcesses.On(state.Path)));
        second.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await second.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresFact]
    public async Task A_second_AppHost_on_the_same_state_folder_refuses_at_once_naming_the_first_and_changes_nothing()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using var first = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port);
        await first.WaitForOutputAsync(AppHostProcess.StackUp, ct);
        var before = StateFiles(state.Path);
        Assert.Contains("secrets.json", before.Keys);
        Assert.Contains("stack.json", before.Keys);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var second = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, FreePorts.Next());
        var exitCode = await second.WaitForExitAsync(ct);
        output.WriteLine($"The second AppHost refused and exited after {started.Elapsed.TotalSeconds:0.000} s (process start included).");

        Assert.Equal(4, exitCode);
        Assert.Contains($"Another AppHost (pid {first.Id}) is running on the state folder '{state.Path}'", second.Output, StringComparison.Ordinal);
        Assert.Contains($"kill {first.Id}", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("postgres", second.Output.Replace(state.Path, string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // it started nothing
        Assert.Equal(before, StateFiles(state.Path));

        // The first still serves.
        var password = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state.Path, "secrets.json"), ct)).RootElement.GetProperty("postgres-password").GetString();
        Assert.Equal(1, await Sql.ScalarAsync<int>($"Host=127.0.0.1;Port={port};Username=postgres;Password={password};Database=postgres", "SELECT 1", ct));
        Assert.DoesNotContain("Stopping the stack", first.Output, StringComparison.Ordinal);
        first.Signal(NativeMethods.SigInt);
        Assert.Equal(0, await first.WaitForExitAsync(ct));
    }

    /// <summary>Every file of the state folder outside PostgreSQL's folder (which the running server keeps writing), and PG_VERSION: contents and times.</summary>
    private static Dictionary<string, string> StateFiles(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(path => !path.StartsWith(Path.Combine(root, "postgres") + "/", StringComparison.Ordinal) || path.EndsWith("PG_VERSION", StringComparison.Ordinal))
            .ToDictionary(
                path => Path.GetRelativePath(root, path),
                // The lock file is read without taking its lock, which .NET's own reads would ask for (and be refused).
                path => $"{File.GetLastWriteTimeUtc(path):O} {NativeMethods.ReadWithoutLocking(path, 1 << 20)}");

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

        Assert.StartsWith(StackModel.Hosting.Runtimes.Process.TestClusterStorage.Choose().Root.TrimEnd('/') + "/", app.StateDirectory, StringComparison.Ordinal); // /dev/shm with room, else the temporary folder
        Assert.DoesNotContain(".stackmodel", app.StateDirectory, StringComparison.Ordinal);
        Assert.NotEqual(declaredPort, ((StackModel.Hosting.Postgres.PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort);
    }
}
