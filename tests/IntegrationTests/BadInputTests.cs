using System.Net;
using System.Net.Sockets;
using StackModel.Hosting;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

public class BadInputTests(ITestOutputHelper output)
{
    [RequiresPostgresFact]
    public async Task A_host_port_held_by_another_process_fails_the_server_with_the_port_and_the_holder()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct);
        await using var app = await builder.BuildAsync(ct);
        var port = ((PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort;
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();

        await app.StartAsync(ct);
        var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

        StackAssertions.FailedBecauseThisProcessHoldsThePort(snapshot, port);
        var runner = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct);
        Assert.Equal(ResourceState.FailedToStart, runner.State);
        Assert.Contains("'app_dev'", runner.Reason, StringComparison.Ordinal);
    }

    [RequiresPostgresFact]
    public async Task A_port_taken_on_restart_leaves_the_existing_data_intact()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using (var first = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port))
        {
            await first.WaitForOutputAsync("Press Ctrl+C", ct);
        }

        var before = Snapshot(state.Path);
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        await using var second = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port);
        await second.WaitForOutputAsync("Press Ctrl+C", ct);

        Assert.Contains($"Port {port} on 127.0.0.1 is held by", second.Output, StringComparison.Ordinal);
        Assert.Equal(before["secrets.json"], Snapshot(state.Path)["secrets.json"]);
        Assert.Equal(before["postgres/data/PG_VERSION"], Snapshot(state.Path)["postgres/data/PG_VERSION"]);
    }

    [RequiresPostgresFact]
    public async Task Missing_binaries_fail_the_server_with_the_install_command()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct);
        builder.Configuration["Stack:PostgresBinDirectory"] = "/nonexistent/pg/bin";
        await using var app = await builder.BuildAsync(ct);

        await app.StartAsync(ct);
        var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

        Assert.Equal(ResourceState.FailedToStart, snapshot.State);
        Assert.Contains("/nonexistent/pg/bin", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("initdb", snapshot.Reason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(app.StateDirectory, "postgres", "data")));
    }

    [Fact]
    public async Task A_corrupt_state_file_is_refused_and_left_untouched()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct);
        await using var app = await builder.BuildAsync(ct);
        var secrets = Path.Combine(app.StateDirectory, "secrets.json");
        await File.WriteAllTextAsync(secrets, "{ \"postgres-password\": \"abc", ct);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(ct));

        Assert.Contains(secrets, error.Message, StringComparison.Ordinal);
        Assert.Contains("left untouched", error.Message, StringComparison.Ordinal);
        Assert.Equal("{ \"postgres-password\": \"abc", await File.ReadAllTextAsync(secrets, ct));
    }

    [Fact]
    public async Task A_state_folder_that_cannot_be_written_is_refused_with_the_fix()
    {
        var ct = TestStack.Timeout();
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "keep me", ct);
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(null, ct);
        builder.Configuration["Stack:StateDirectory"] = Path.Combine(file, "state");
        await using var app = await builder.BuildAsync(ct);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(ct));

        Assert.Contains("is not writable", error.Message, StringComparison.Ordinal);
        Assert.Contains("Stack:StateDirectory", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file, ct));
    }

    private static Dictionary<string, string> Snapshot(string root) => new()
    {
        ["secrets.json"] = File.ReadAllText(Path.Combine(root, "secrets.json")),
        ["postgres/data/PG_VERSION"] = File.ReadAllText(Path.Combine(root, "postgres", "data", "PG_VERSION")),
    };
}
