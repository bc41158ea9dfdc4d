using System.Diagnostics;
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

/// <summary>
/// The incident, replayed on the real AppHost definition: LiteLLM (the stand-in, whose start drops every table of <c>public</c> it does
/// not know, as Prisma's db push does) runs next to the app's migrations, and the app's tables survive every way it went wrong before.
/// </summary>
public class LiteLLMIncidentTests(ITestOutputHelper output)
{
    private const string SeedSql =
        "INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'ada@example.com'); " +
        "INSERT INTO billing_accounts (id, owner_user_id, name) VALUES ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'Ada'); " +
        "INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key) VALUES ('00000000-0000-0000-0000-000000000002', 500, 'welcome', 'seed-1')";

    [RequiresPostgresFact]
    public async Task The_full_stack_starts_in_order_and_each_database_holds_only_its_own_tables()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(LiteLLMStandIn.Args(), ct);
        await using var app = await builder.BuildAsync(ct);
        var events = new List<(string Name, ResourceState State)>();
        var clock = Stopwatch.StartNew();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = Task.Run(async () =>
        {
            await foreach (var s in app.ResourceNotifications.WatchAsync(watching.Token))
            {
                lock (events)
                {
                    if (!events.Contains((s.Name, s.State)))
                    {
                        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.00} s  {s.Name,-12} {s.State}");
                    }

                    events.Add((s.Name, s.State));
                }
            }
        }, CancellationToken.None);

        await app.StartAsync(ct);
        await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        await watching.CancelAsync();
        await watcher.ContinueWith(_ => { }, TaskScheduler.Default);

        int First(string name, ResourceState state)
        {
            lock (events)
            {
                var index = events.IndexOf((name, state));
                Assert.True(index >= 0, $"'{name}' never reached {state}.");
                return index;
            }
        }

        Assert.True(First("postgres", ResourceState.Healthy) <= First("app_dev", ResourceState.Healthy));
        Assert.True(First("litellm_dev", ResourceState.Healthy) < First("litellm", ResourceState.Starting));
        Assert.True(First("litellm", ResourceState.Healthy) < First("migrations", ResourceState.Starting));
        Assert.True(First("migrations", ResourceState.Starting) < First("migrations", ResourceState.Finished));

        var appTables = await Catalog.TablesAsync(await app.GetConnectionStringAsync("app_dev", ct), ct);
        var litellmTables = await Catalog.TablesAsync(await app.GetConnectionStringAsync("litellm_dev", ct), ct);
        var expectedApp = Catalog.AppTables(app.AppHostDirectory).Select(t => "public." + t).Append("drizzle.__drizzle_migrations").Order(StringComparer.Ordinal);
        Assert.Equal(expectedApp, appTables);
        Assert.Equal(Catalog.StandInTables.Select(t => "public." + t).Order(StringComparer.Ordinal), litellmTables);
        Assert.Empty(appTables.Intersect(litellmTables));
    }

    [RequiresPostgresFact]
    public async Task Restarting_LiteLLM_runs_its_destructive_schema_sync_again_and_every_app_table_and_row_survives()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(LiteLLMStandIn.Args(), ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        var appDb = await app.GetConnectionStringAsync("app_dev", ct);
        var litellmDb = await app.GetMigratorConnectionStringAsync("litellm_dev", ct); // LiteLLM's own role: the one that may change litellm_dev's schema
        await Catalog.ExecuteAsync(appDb, SeedSql, ct);
        await Catalog.ExecuteAsync(litellmDb, "CREATE TABLE public.planted_by_test (id int)", ct);
        var tablesBefore = await Catalog.TablesAsync(appDb, ct);

        await app.Orchestrator.RestartResourceAsync("litellm", ct);
        await app.WaitForResourceHealthyAsync("litellm", ct);

        // The sync did run again: it dropped the table planted in LiteLLM's own database...
        Assert.DoesNotContain("public.planted_by_test", await Catalog.TablesAsync(litellmDb, ct));
        Assert.Contains(app.ResourceLogs.GetLines("litellm"), l => l.Text.Contains("planted_by_test", StringComparison.Ordinal));

        // ...and could not reach the app's.
        Assert.Equal(tablesBefore, await Catalog.TablesAsync(appDb, ct));
        Assert.Equal(1, await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM users", ct));
        Assert.Equal(1, await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM billing_accounts", ct));
        Assert.Equal(500, await Catalog.ScalarAsync(appDb, "SELECT sum(amount_cents) FROM credit_ledger", ct));
    }

    [RequiresPostgresFact]
    public async Task A_LiteLLM_pointed_at_app_dev_by_hand_is_refused_by_the_model()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(LiteLLMStandIn.Args(), ct);
        var appDb = (PostgresDatabaseResource)builder.Resources.Single(r => r.Name == "app_dev");
        builder.CreateResourceBuilder((LiteLLMResource)builder.Resources.Single(r => r.Name == "litellm"))
            .WithEnvironment("DATABASE_URL", appDb.UriExpression);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => builder.BuildAsync(ct));

        Assert.Contains("Resource 'litellm' is given the credentials of database 'app_dev' (DATABASE_URL)", error.Message, StringComparison.Ordinal);
    }

    [RequiresPostgresFact]
    public async Task LiteLLMs_own_credentials_are_refused_by_PostgreSQL_on_app_dev()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--LiteLLM:Runtime=off"], ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceHealthyAsync("app_dev", ct);
        var given = await EnvironmentRenderer.RenderEnvironmentAsync(app.Model["litellm"], NetworkContext.Host, ct);
        var url = new Uri(given["DATABASE_URL"]!);
        var credentials = url.UserInfo.Split(':').Select(Uri.UnescapeDataString).ToArray();
        var crossed = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Username = credentials[0],
            Password = credentials[1],
            Database = "app_dev",
            Pooling = false,
        };

        await using var connection = new NpgsqlConnection(crossed.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(ct));

        Assert.Equal("litellm_dev_owner", credentials[0]);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [RequiresPostgresFact]
    public async Task A_full_restart_on_existing_state_finds_nothing_to_migrate_and_keeps_data_and_keys()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var args = LiteLLMStandIn.Args($"--Stack:StateDirectory={state.Path}");
        string saltKey;
        await using (var first = await StartAsync(args, ct))
        {
            await first.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
            await Catalog.ExecuteAsync(await first.GetConnectionStringAsync("app_dev", ct), SeedSql, ct);
            saltKey = ((LiteLLMResource)first.Model["litellm"]).SaltKey.Value;
        }

        await using var second = await StartAsync(args, ct);
        await second.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        var appDb = await second.GetConnectionStringAsync("app_dev", ct);

        Assert.Contains(second.ResourceLogs.GetLines("migrations"), l => l.Text.Contains("0 migration(s) applied", StringComparison.Ordinal));
        Assert.Equal(Catalog.AppMigrationCount(second.AppHostDirectory), await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct));
        Assert.Equal(1, await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM users", ct));
        Assert.Equal(500, await Catalog.ScalarAsync(appDb, "SELECT sum(amount_cents) FROM credit_ledger", ct));
        Assert.Equal(saltKey, ((LiteLLMResource)second.Model["litellm"]).SaltKey.Value);
    }

    [RequiresPostgresFact]
    public async Task App_dev_dropped_and_recreated_while_the_stack_is_down_is_migrated_again_on_the_next_start()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var args = LiteLLMStandIn.Args($"--Stack:StateDirectory={state.Path}");
        var stopwatch = Stopwatch.StartNew();
        await using (var first = await StartAsync(args, ct))
        {
            await first.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
            output.WriteLine($"first stack migrated: {stopwatch.Elapsed.TotalSeconds:0.0} s");
        }

        output.WriteLine($"first stack stopped: {stopwatch.Elapsed.TotalSeconds:0.0} s");

        // The stack is down; someone starts only its server and replaces app_dev with an empty database of another owner.
        await using (var maintenance = DistributedApplicationTestingBuilder.Create($"--Stack:StateDirectory={state.Path}"))
        {
            maintenance.AddPostgres("postgres", port: 1);
            await using var server = await maintenance.BuildAsync(ct);
            await server.StartAsync(ct);
            await server.WaitForResourceHealthyAsync("postgres", ct);
            var superUser = await server.GetConnectionStringAsync("postgres", ct);
            await Catalog.ExecuteAsync(superUser, "DROP DATABASE app_dev WITH (FORCE)", ct);
            await Catalog.ExecuteAsync(superUser, "CREATE DATABASE app_dev", ct);
            output.WriteLine($"app_dev replaced: {stopwatch.Elapsed.TotalSeconds:0.0} s");
        }

        output.WriteLine($"server stopped: {stopwatch.Elapsed.TotalSeconds:0.0} s");

        await using var second = await StartAsync(args, ct);
        var runner = await second.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        var appDb = await second.GetConnectionStringAsync("app_dev", ct);

        Assert.Equal(0, runner.ExitCode);
        Assert.Equal(Catalog.AppMigrationCount(second.AppHostDirectory), await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct));
        Assert.Equal(Catalog.AppTables(second.AppHostDirectory).Length, await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", ct));
        Assert.Equal(1, await Catalog.ScalarAsync(appDb, "SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = 'app_dev' AND r.rolname = 'app_dev_owner'", ct));
    }

    [RequiresPostgresFact]
    public async Task When_LiteLLM_never_becomes_healthy_the_runner_waits_without_touching_app_dev_and_the_stack_still_stops_promptly()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(LiteLLMStandIn.Args(), ct);
        builder.CreateResourceBuilder((LiteLLMResource)builder.Resources.Single(r => r.Name == "litellm"))
            .WithEnvironment("LITELLM_STANDIN_NEVER_HEALTHY", "true");
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        // LiteLLM is up and answering 503; the runner is shown waiting for it, and only for it.
        await app.ResourceNotifications.WaitForResourceAsync("litellm", s => s.Reason?.Contains("503", StringComparison.Ordinal) == true, ct);
        var runner = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.State == ResourceState.Waiting && s.WaitingFor.SequenceEqual(["litellm"]), ct);
        Assert.Equal(ResourceState.Waiting, runner.State);
        Assert.Null(runner.StartedAt);
        Assert.Equal(0, await Catalog.ScalarAsync(await app.GetConnectionStringAsync("app_dev", ct), "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'", ct));

        var stopwatch = Stopwatch.StartNew();
        await app.StopAsync(ct);
        output.WriteLine($"Stopping the stack with a waiting runner and an unhealthy LiteLLM took {stopwatch.Elapsed.TotalSeconds:0.00} s.");

        Assert.Equal(ResourceState.Stopped, app.ResourceNotifications.TryGetSnapshot("migrations")!.State);
        Assert.Equal(ResourceState.Stopped, app.ResourceNotifications.TryGetSnapshot("litellm")!.State);
        Assert.Equal(ResourceState.Stopped, app.ResourceNotifications.TryGetSnapshot("postgres")!.State);
    }

    [RequiresPostgresFact]
    public async Task With_LiteLLM_turned_off_the_runner_migrates_without_the_wait_and_LiteLLM_shows_why_it_did_not_start()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--LiteLLM:Runtime=off"], ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        var litellm = app.ResourceNotifications.TryGetSnapshot("litellm")!;

        Assert.Equal(0, runner.ExitCode);
        Assert.Equal(ResourceState.NotStarted, litellm.State);
        Assert.True(litellm.Disabled);
        Assert.Contains("LiteLLM:Runtime=off", litellm.Reason, StringComparison.Ordinal);
        Assert.Contains(app.ResourceLogs.GetLines("migrations"), l => l.Text.Contains("Not waiting for 'litellm'", StringComparison.Ordinal));
        Assert.Equal(
            Catalog.AppMigrationCount(app.AppHostDirectory),
            await Catalog.ScalarAsync(await app.GetConnectionStringAsync("app_dev", ct), "SELECT count(*) FROM drizzle.__drizzle_migrations", ct));
    }

    [RequiresPostgresFact]
    public async Task LiteLLM_pinned_to_a_container_without_a_container_runtime_fails_to_start_with_the_reason_and_the_runner_does_not_run()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--LiteLLM:Runtime=container"], ct);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        var litellm = await app.ResourceNotifications.WaitForResourceAsync("litellm", s => s.IsTerminal, ct);
        var runner = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct);

        Assert.Equal(ResourceState.FailedToStart, litellm.State);
        Assert.Contains("LiteLLM:Runtime=container", litellm.Reason, StringComparison.Ordinal);
        Assert.Contains("no container runtime is available", litellm.Reason, StringComparison.Ordinal);
        Assert.Equal(ResourceState.FailedToStart, runner.State);
        Assert.Contains("'litellm'", runner.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await Catalog.ScalarAsync(await app.GetConnectionStringAsync("app_dev", ct), "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'", ct));
    }

    private static async Task<DistributedApplication> StartAsync(string[] args, CancellationToken cancellationToken)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args, cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        return app;
    }
}
