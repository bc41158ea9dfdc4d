using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.IntegrationTests;

/// <summary>Bad input on the container runtime: one test each, a clear reason, and nothing created or lost.</summary>
[Trait("Category", "Container")]
public class ContainerBadInputTests
{
    [Theory]
    [InlineData("/nonexistent/docker", "no such file")]
    [InlineData("stackmodel-no-such-engine", "not on PATH")]
    public async Task An_engine_that_is_not_installed_fails_postgres_with_what_was_tried_and_how_to_run_without_it(string cli, string tried)
    {
        var ct = TestStack.Timeout();
        await using var app = await StartAsync(ct, "--Stack:Runtime=container", $"--Stack:ContainerRuntime={cli}");

        var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

        Assert.Equal(ResourceState.FailedToStart, snapshot.State);
        Assert.Contains($"Stack:ContainerRuntime={cli}: {tried}", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("Stack:Runtime=process", snapshot.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app.StateDirectory, StackRecord.FileName)));
        Assert.Equal(ResourceState.FailedToStart, (await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct)).State);
    }

    [RequiresContainerEngineFact]
    public async Task An_engine_whose_CLI_is_installed_but_does_not_answer_fails_postgres_with_the_engines_own_error()
    {
        var ct = TestStack.Timeout();
        using var folder = new TempDirectory();
        var cli = Path.Combine(folder.Path, "docker");
        // The docker CLI pointed at a socket nobody serves (podman's remote client where docker is absent). Debian's docker.io
        // client (20.10) first when installed: its 'info' exits 0 without a daemon and says so only in its JSON.
        await File.WriteAllTextAsync(cli, """
            #!/bin/sh
            if [ -x /usr/bin/docker ]; then DOCKER_HOST=unix:///nonexistent/docker.sock exec /usr/bin/docker "$@"; fi
            if command -v docker >/dev/null 2>&1; then DOCKER_HOST=unix:///nonexistent/docker.sock exec docker "$@"; fi
            exec podman --remote --url unix:///nonexistent/podman.sock "$@"
            """.Replace("\r", string.Empty, StringComparison.Ordinal), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await using var app = await StartAsync(ct, "--Stack:Runtime=container", $"--Stack:ContainerRuntime={cli}");

        var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

        Assert.Equal(ResourceState.FailedToStart, snapshot.State);
        Assert.Contains("'docker info' exited", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/", snapshot.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app.StateDirectory, StackRecord.FileName)));
    }

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task An_image_that_is_not_present_locally_fails_at_once_with_how_to_build_it_when_the_pull_policy_is_never()
    {
        var (image, reason, log) = await StartAbsentImageAsync("never", TestStack.Timeout());

        Assert.Contains($"Image '{image}:1' of 'ghost' is not present locally, and Stack:PullPolicy=never forbids pulling it", reason, StringComparison.Ordinal);
        Assert.Contains("eng/containers/", reason, StringComparison.Ordinal);
        Assert.Contains("Stack:PullPolicy=missing", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(log, l => l.StartsWith("Pulling image", StringComparison.Ordinal));
    }

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task An_image_that_is_not_present_locally_and_cannot_be_pulled_fails_with_the_engines_own_error_and_how_to_build_it()
    {
        var (image, reason, log) = await StartAbsentImageAsync("missing", TestStack.Timeout());

        Assert.Matches($@"Image '{Regex.Escape(image)}:1' of 'ghost' is not present locally, and '(docker|podman) pull {Regex.Escape(image)}:1' failed: .*127\.0\.0\.1:1", reason);
        Assert.Contains("connection refused", reason, StringComparison.OrdinalIgnoreCase); // the engine's own words
        Assert.Contains("could not be reached from this machine", reason, StringComparison.Ordinal);
        Assert.Contains("eng/containers/", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("these machines", reason, StringComparison.Ordinal);
        Assert.Contains(log, l => l.StartsWith($"Pulling image {image}:1", StringComparison.Ordinal));
        Assert.Contains(log, l => l.StartsWith($"Pulling image {image}:1 failed:", StringComparison.Ordinal));
    }

    /// <summary>
    /// Starts a container resource whose image is absent under <paramref name="pullPolicy"/>, from a registry address where nothing
    /// listens (a pull fails at once, the same way on Docker and Podman); returns its failure reason and log, and checks nothing is left.
    /// </summary>
    private static async Task<(string Image, string Reason, string[] Log)> StartAbsentImageAsync(string pullPolicy, CancellationToken ct)
    {
        await using var builder = DistributedApplicationTestingBuilder.Create($"--Stack:PullPolicy={pullPolicy}");
        var image = $"127.0.0.1:1/stackmodel-absent/ghost-{Guid.NewGuid():N}";
        builder.AddContainer("ghost", image, "1").WithHttpEndpoint(port: 1, targetPort: 8080);
        string stackName;
        string reason;
        string[] log;
        await using (var app = await builder.BuildAsync(ct))
        {
            stackName = app.Options.Name;
            await app.StartAsync(ct);
            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("ghost", s => s.IsTerminal, ct);
            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            reason = snapshot.Reason ?? string.Empty;
            log = [.. app.ResourceLogs.GetLines("ghost", 200).Select(l => l.Text)];
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
        return (image, reason, log);
    }

    [RequiresContainerEngineFact]
    public async Task A_host_port_held_by_another_process_fails_postgres_naming_the_port_and_creates_no_container_or_volume()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--Stack:Runtime=container"], ct);
        string stackName;
        await using (var app = await builder.BuildAsync(ct))
        {
            stackName = app.Options.Name;
            var port = ((PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort;
            using var squatter = new TcpListener(IPAddress.Loopback, port);
            squatter.Start();
            await app.StartAsync(ct);

            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

            StackAssertions.FailedBecauseThisProcessHoldsThePort(snapshot, port);
            Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact]
    public async Task A_volume_left_by_an_earlier_stack_on_the_same_state_folder_is_refused_and_left_untouched()
    {
        // What a checkout deleted and cloned again at the same path leaves: the volume of its state folder, and no record of it.
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--Stack:Runtime=container"], ct);
        await using var app = await builder.BuildAsync(ct);
        var volume = ContainerMachine.PostgresVolume(app.Options.Name, app.StateDirectory);
        Assert.True((await ContainerMachine.Engine.RunAsync(["volume", "create", volume], cancellationToken: ct)).Succeeded);
        try
        {
            await app.StartAsync(ct);

            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            Assert.Contains($"The volume '{volume}' already exists", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains("left untouched", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains($"restore that state folder ({StackRecord.FileName} and secrets.json)", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains($"{ContainerMachine.Engine.Name} volume rm {volume}", snapshot.Reason, StringComparison.Ordinal);
            Assert.True(ContainerMachine.VolumeExists(volume));

            // The stack network is made while the volume is asked about: the refused start removed it at once, not at the stop.
            Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(app.Options.Name));
        }
        finally
        {
            await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", volume], cancellationToken: CancellationToken.None);
        }
    }

    [RequiresContainerEngineFact(NeedsStandInImage = true)]
    public async Task A_container_that_exits_while_starting_fails_with_its_last_log_lines()
    {
        var ct = TestStack.Timeout();
        await using var builder = DistributedApplicationTestingBuilder.Create();
        ContainerRuntimeTests.AddStandIn(builder).WithEnvironment("LITELLM_STANDIN_EXIT_CODE", "3");
        string stackName;
        await using (var app = await builder.BuildAsync(ct))
        {
            stackName = app.Options.Name;
            await app.StartAsync(ct);

            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("litellm", s => s.IsTerminal, ct);

            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            Assert.Equal(3, snapshot.ExitCode);
            Assert.Contains("Container 'litellm' exited with code 3 while starting. Its last lines:", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains("ERROR", snapshot.Reason, StringComparison.Ordinal);
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresPostgresFact]
    public async Task A_container_referencing_postgres_that_runs_as_a_process_is_refused_with_how_to_run_both_on_the_network()
    {
        var ct = TestStack.Timeout();
        await using var builder = DistributedApplicationTestingBuilder.Create("--Stack:Runtime=process");
        var litellmDb = builder.AddPostgres("postgres", port: 1).AddDatabase("litellm_dev");
        ContainerRuntimeTests.AddStandIn(builder).WithEnvironment("DATABASE_URL", litellmDb.Resource.UriExpression);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        var snapshot = await app.ResourceNotifications.WaitForResourceAsync("litellm", s => s.IsTerminal, ct);

        Assert.Equal(ResourceState.FailedToStart, snapshot.State);
        Assert.Contains("Container 'litellm' references 'postgres', which runs as a local process on 127.0.0.1", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("Stack:Runtime=container", snapshot.Reason, StringComparison.Ordinal);
    }

    private static async Task<DistributedApplication> StartAsync(CancellationToken ct, params string[] args)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args, ct);
        var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        return app;
    }
}
