using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>The same AppHost definition on the container runtime (Podman here, Docker where it answers).</summary>
[Trait("Category", "Container")]
public class ContainerRuntimeTests(ITestOutputHelper output)
{
    private const string Container = "--Stack:Runtime=container";

    [RequiresContainerEngineFact]
    public async Task The_whole_stack_runs_with_postgres_as_a_container_and_the_host_migration_runner_reaching_its_published_port()
    {
        var ct = TestStack.Timeout();
        string stackName;
        await using (var app = await TestStack.StartAppHostAsync(ct, Container))
        {
            stackName = app.Options.Name;
            var postgres = await app.WaitForResourceHealthyAsync("postgres", ct);
            await app.WaitForResourceHealthyAsync("app_dev", ct);
            await app.WaitForResourceHealthyAsync("litellm_dev", ct);
            var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

            Assert.Equal("container", postgres.Runtime);
            Assert.Equal(0, runner.ExitCode);
            Assert.Contains(app.ResourceLogs.GetLines("postgres", 200), l => l.Text.StartsWith("Runtime: container (Stack:Runtime=container)", StringComparison.Ordinal));
            var hostPort = ((PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort;
            var connectionString = await app.GetConnectionStringAsync("app_dev", ct);
            Assert.Contains($"Host=127.0.0.1;Port={hostPort}", connectionString, StringComparison.Ordinal);

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT current_database(), current_user, inet_server_port(), (SELECT count(*) FROM drizzle.__drizzle_migrations)", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            Assert.Equal("app_dev", reader.GetString(0));
            Assert.Equal("app_dev_user", reader.GetString(1)); // the runtime role; the firewall holds in the container too
            Assert.Equal(5432, reader.GetInt32(2)); // the server's own port inside its container; the host uses the published one
            Assert.True(reader.GetInt64(3) > 0, "the migration runner applied app_dev's migrations");
            Assert.Equal(5432, app.State.ReadRecord()!.ServerPort);
            Assert.Equal("container", app.State.ReadRecord()!.Runtime);
            Assert.Equal(ContainerMachine.PostgresVolume(stackName, app.StateDirectory), app.State.ReadRecord()!.ContainerVolume);
            Assert.Matches($"^{stackName}-[0-9a-f]{{10}}-postgres-data$", app.State.ReadRecord()!.ContainerVolume);
            Assert.NotEmpty(await ContainerMachine.LeftoversAsync(stackName));
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact]
    public async Task Each_database_owner_is_refused_by_the_other_database_over_the_published_port()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct, Container);
        await StackAssertions.EachOwnerIsRefusedByTheOtherDatabaseAsync(app, ct);
    }

    [RequiresContainerEngineFact(NeedsStandInImage = true)]
    public async Task The_AppHosts_LiteLLM_runs_as_a_container_of_the_stand_in_image_and_reaches_postgres_by_its_alias_before_the_runner_starts()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>([Container, "--LiteLLM:Runtime=container"], ct);
        // The AppHost's own LiteLLM declaration (environment, --config bind mount, --port, health check) on the stand-in image:
        // the real proxy's image cannot be pulled here.
        var litellm = builder.CreateResourceBuilder((LiteLLMResource)builder.Resources.Single(r => r.Name == "litellm"))
            .WithImage(ContainerMachine.StandInImage, ContainerMachine.StandInTag);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        var healthy = await app.WaitForResourceHealthyAsync("litellm", ct);
        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        Assert.Equal("container", healthy.Runtime);
        Assert.Equal(0, runner.ExitCode);
        Assert.True(runner.StartedAt >= healthy.StartedAt, "the migration runner started after LiteLLM");
        var databaseUrl = await litellm.Resource.Database!.UriExpression.GetValueAsync(NetworkContext.ContainerNetwork, ct);
        Assert.Contains("@postgres:5432/litellm_dev", databaseUrl, StringComparison.Ordinal);
        Assert.Contains(app.ResourceLogs.GetLines("litellm", 200), l => l.Text.Contains("postgres", StringComparison.Ordinal) && l.Text.Contains("5432", StringComparison.Ordinal));
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("litellm_dev", ct));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'LiteLLM\\_%'", connection);
        Assert.True((long)(await command.ExecuteScalarAsync(ct))! > 0, "the stand-in created its tables in litellm_dev through postgres:5432");
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(app.GetEndpoint("litellm"), "/health/readiness"), ct)).IsSuccessStatusCode);
    }

    [RequiresContainerEngineFact]
    public async Task The_named_volume_keeps_the_data_across_a_new_container_and_goes_with_the_test_stack()
    {
        var ct = TestStack.Timeout();
        string volume;
        await using (var app = await TestStack.StartAppHostAsync(ct, Container))
        {
            volume = ContainerMachine.PostgresVolume(app.Options.Name, app.StateDirectory);
            await app.WaitForResourceHealthyAsync("app_dev", ct);
            var connectionString = await app.GetMigratorConnectionStringAsync("app_dev", ct); // schema is the migrator's to create
            await Sql(connectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')", ct);

            await app.Orchestrator.RestartResourceAsync("postgres", ct); // stop, rm -f -v, then a new container on the same volume
            await app.WaitForResourceHealthyAsync("app_dev", ct);

            Assert.Equal("survives", await Sql(connectionString, "SELECT v FROM kept", ct));
            Assert.True(ContainerMachine.VolumeExists(volume));
        }

        Assert.False(ContainerMachine.VolumeExists(volume));
    }

    [RequiresContainerEngineFact]
    public async Task Ctrl_C_leaves_no_container_and_no_network_and_keeps_the_named_volume()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = AppHostProcess.StackNameFor(state.Path);
        var volume = ContainerMachine.PostgresVolume(stackName, state.Path);
        try
        {
            await using var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, FreePorts.Next(), Container);
            await host.WaitForOutputAsync("Press Ctrl+C", ct);
            Assert.Contains($"container {ContainerMachine.PostgresContainer(stackName, state.Path)}", await ContainerMachine.LeftoversAsync(stackName));

            host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(ct));

            Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
        }
        finally
        {
            await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", volume]);
        }
    }

    [RequiresContainerEngineFact]
    public async Task A_warm_start_runs_postgres_directly_as_the_images_postgres_user_with_docker_exec_psql_working_and_no_network_without_peer_containers()
    {
        var ct = TestStack.Timeout();
        await using var stack = new ContainerStackFolder();
        var (state, stackName, port, container, volume) = stack;

        // The first start makes the cluster through the image's entrypoint (initdb, POSTGRES_PASSWORD).
        await using (var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port, Container))
        {
            await host.WaitForOutputAsync("Press Ctrl+C", ct);
            Assert.Equal("docker-entrypoint.sh", await EntrypointAsync(container, ct));
            host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        await using (var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port, Container))
        {
            await host.WaitForOutputAsync("Press Ctrl+C", ct);
            Assert.Equal("postgres", await EntrypointAsync(container, ct));
            Assert.Equal("postgres", (await ContainerMachine.Engine.RunAsync(["inspect", "--format", "{{.Config.User}}", container], cancellationToken: ct)).StandardOutput.Trim());

            // What Docker users do with the official image: psql over the socket inside the container, as the superuser.
            var psql = await ContainerMachine.Engine.RunAsync(["exec", container, "psql", "-U", "postgres", "-d", "app_dev", "-tAc", "SELECT current_user || ' ' || current_setting('data_directory') || ' ' || pg_backend_pid()::text"], cancellationToken: ct);
            Assert.True(psql.Succeeded, psql.Error);
            Assert.StartsWith("postgres /var/lib/postgresql/data ", psql.StandardOutput.Trim(), StringComparison.Ordinal);

            // LiteLLM is off here: no other container needs postgres by its alias, so the stack makes no network at all.
            Assert.Equal([$"container {container}", $"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));

            host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact]
    public async Task Reset_on_a_stopped_container_stack_starts_postgres_for_its_duration_and_leaves_only_the_volume()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = AppHostProcess.StackNameFor(state.Path);
        var volume = ContainerMachine.PostgresVolume(stackName, state.Path);
        var port = FreePorts.Next();
        try
        {
            await using (var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port, Container))
            {
                await host.WaitForOutputAsync("Press Ctrl+C", ct);
                host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
                Assert.Equal(0, await host.WaitForExitAsync(ct));
            }

            await using (var reset = AppHostProcess.Start(AppHostLaunch.InTerminal(output), state.Path, port, Container, "reset", "app_dev", "--yes"))
            {
                Assert.True(await reset.WaitForExitAsync(ct) == 0, reset.Output);
                Assert.Contains("Reset 'app_dev'", reset.Output, StringComparison.Ordinal);
            }

            Assert.Equal([$"volume {volume}"], await ContainerMachine.LeftoversAsync(stackName));
        }
        finally
        {
            await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", volume]);
        }
    }

    internal static IResourceBuilder<ContainerResource> AddStandIn(IDistributedApplicationBuilder builder, string name = "litellm") =>
        builder.AddContainer(name, ContainerMachine.StandInImage, ContainerMachine.StandInTag)
            .WithHttpEndpoint(port: 1, targetPort: ContainerMachine.StandInPort) // the testing builder gives it a free host port
            .WithEnvironment("LITELLM_MASTER_KEY", "sk-test-master")
            .WithEnvironment("LITELLM_SALT_KEY", "sk-test-salt")
            .WithHttpHealthCheck("/health/liveliness");

    /// <summary>The container's entrypoint as one line (Docker prints a JSON array, Podman 4 a string).</summary>
    private static async Task<string> EntrypointAsync(string container, CancellationToken ct) =>
        string.Concat((await ContainerMachine.Engine.RunAsync(["inspect", "--format", "{{json .Config.Entrypoint}}", container], cancellationToken: ct)).StandardOutput.Trim().Where(c => c is not ('[' or ']' or '"')));

    private static async Task<string?> Sql(string connectionString, string sql, CancellationToken ct)
    {
        // No pooling: a pooled connection would not survive the server's restart (57P01).
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync(ct))?.ToString();
    }
}
