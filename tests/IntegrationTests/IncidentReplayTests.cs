using Microsoft.Extensions.Configuration;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Reset;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.IntegrationTests;

/// <summary>
/// The incident, replayed: a reset pointed at a second PostgreSQL must be refused before it changes anything, whether the
/// second server is another cluster on another port, another cluster on the stack's own port, or a copy of the stack's data folder.
/// </summary>
public class IncidentReplayTests
{
    [RequiresPostgresFact]
    public async Task A_reset_handed_the_address_of_another_cluster_is_refused_and_its_rows_survive()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        await using var impostor = await ForeignCluster.StartNewAsync(FreePorts.Next(), ct);
        await impostor.CreateDatabaseWithRowsAsync("app_dev", "app_dev_owner", OwnerPassword(app), rows: 25, ct);
        var wrongEnvFile = impostor.ConnectionString("app_dev", "app_dev_owner", OwnerPassword(app));

        var error = await Assert.ThrowsAsync<TargetMismatchException>(
            () => DatabaseTruncation.TruncateAsync(wrongEnvFile, StackRecord.Read(RecordPath(app)), RecordPath(app), "app_dev", ct));

        Assert.Equal(25L, await Sql.ScalarAsync<long>(wrongEnvFile, "SELECT count(*) FROM users", ct));
        Assert.Contains("system identifier", error.MismatchedFields);
        Assert.Contains("stack id", error.MismatchedFields);
        Assert.Contains("server port", error.MismatchedFields);
        Assert.Contains(RecordPath(app), error.Message, StringComparison.Ordinal);
        Assert.Contains("a PostgreSQL cluster this stack did not create", error.Message, StringComparison.Ordinal);
        foreach (var field in new[] { "database", "database owner", "server port", "system identifier", "stack id", "postmaster start" })
        {
            Assert.Contains($"  {field} ", error.Message, StringComparison.Ordinal);
        }
    }

    [RequiresPostgresFact]
    public async Task With_the_stacks_server_stopped_another_cluster_on_the_same_port_is_refused_by_reset_and_by_the_runners_guard()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var record = StackRecord.Read(RecordPath(app));
        var runnerConfiguration = await ConfigurationOfAsync(app, "migrations", ct);
        await app.Orchestrator.StopResourceAsync("postgres", ct);

        await using var impostor = await ForeignCluster.StartNewAsync(record.HostPort, ct);
        await impostor.CreateDatabaseWithRowsAsync("app_dev", "app_dev_owner", OwnerPassword(app), rows: 25, ct);
        var modelConnection = await app.GetMigratorConnectionStringAsync("app_dev", ct); // the model's own address, now answered by the impostor

        var reset = await Assert.ThrowsAsync<TargetMismatchException>(() => app.ResetDatabaseAsync("app_dev", ct));
        await using (var connection = new NpgsqlConnection(modelConnection))
        {
            await connection.OpenAsync(ct);
            var guard = await Assert.ThrowsAsync<TargetMismatchException>(() => StackTargetGuard.VerifyAsync(connection, runnerConfiguration, "app_dev", ct));
            Assert.Contains("system identifier", guard.MismatchedFields);
        }

        // The runner itself, with exactly the environment the AppHost gives it, refuses too (exit code 3) and applies nothing.
        var runner = await RunMigrationRunnerAsync(app, ct);
        Assert.Equal(3, runner.ExitCode);
        Assert.Contains("Refusing to migrate", runner.Output, StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(modelConnection, "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'", ct));

        Assert.Equal(25L, await Sql.ScalarAsync<long>(modelConnection, "SELECT count(*) FROM users", ct));
        Assert.DoesNotContain("server port", reset.MismatchedFields);
        Assert.Contains("system identifier", reset.MismatchedFields);
    }

    private static async Task<(int ExitCode, string Output)> RunMigrationRunnerAsync(DistributedApplication app, CancellationToken ct)
    {
        var environment = await EnvironmentRenderer.RenderEnvironmentAsync(app.Model["migrations"], NetworkContext.Host, ct);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(new Projects.MigrationRunner().AssemblyPath);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment.Remove("Migrations__WaitForHealthUrl"); // LiteLLM is not part of this replay
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    [RequiresPostgresFact]
    public async Task A_copy_of_the_stacks_data_folder_started_elsewhere_or_on_the_stacks_port_is_refused()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var stackConnection = await app.GetMigratorConnectionStringAsync("app_dev", ct);
        await Sql.ExecuteAsync(stackConnection, "CREATE TABLE replay_rows (id serial PRIMARY KEY, name text); INSERT INTO replay_rows (name) SELECT 'u' || g FROM generate_series(1, 25) g", ct);
        var record = StackRecord.Read(RecordPath(app));
        await app.Orchestrator.StopResourceAsync("postgres", ct);
        NpgsqlConnection.ClearAllPools(); // the pooled connections died with the server
        var superUserPassword = ((PostgresServerResource)app.Model["postgres"]).SuperUserPassword.Value;

        await using (var elsewhere = await ForeignCluster.StartCopyAsync(app.StateDirectory, superUserPassword, FreePorts.Next(), ct))
        {
            var copyConnection = elsewhere.ConnectionString("app_dev", "app_dev_owner", OwnerPassword(app));
            var error = await Assert.ThrowsAsync<TargetMismatchException>(() => DatabaseTruncation.TruncateAsync(copyConnection, record, RecordPath(app), "app_dev", ct));
            Assert.Equal(["server port", "postmaster start"], error.MismatchedFields);
            Assert.Equal(25L, await Sql.ScalarAsync<long>(copyConnection, "SELECT count(*) FROM replay_rows", ct));
        }

        await using (var samePort = await ForeignCluster.StartCopyAsync(app.StateDirectory, superUserPassword, record.HostPort, ct))
        {
            var error = await Assert.ThrowsAsync<TargetMismatchException>(() => app.ResetDatabaseAsync("app_dev", ct));
            Assert.Equal(["postmaster start"], error.MismatchedFields);
            Assert.Contains("a server started from a copy of the stack's data folder", error.Message, StringComparison.Ordinal);
            Assert.Equal(25L, await Sql.ScalarAsync<long>(stackConnection, "SELECT count(*) FROM replay_rows", ct));
        }
    }

    [RequiresPostgresFact]
    public async Task Resetting_the_real_stack_empties_the_app_tables_and_keeps_the_drizzle_history_so_nothing_is_applied_again()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var connection = await app.GetMigratorConnectionStringAsync("app_dev", ct);
        await Sql.ExecuteAsync(connection, DrizzleShapedSchema.Sql, ct);
        await Sql.ExecuteAsync(connection, DrizzleShapedSchema.Rows(100), ct);
        var history = await Sql.ScalarAsync<string>(connection, DrizzleShapedSchema.HistorySql, ct);

        var result = await app.ResetDatabaseAsync("app_dev", ct);

        string[] planted = ["app.credit_ledger", "app.users", "public.audit"];
        Assert.Equal(planted.Concat(Catalog.AppTables(app.AppHostDirectory).Select(t => "public." + t)).Order(StringComparer.Ordinal), result.TruncatedTables.Order(StringComparer.Ordinal));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT (SELECT count(*) FROM app.users) + (SELECT count(*) FROM app.credit_ledger) + (SELECT count(*) FROM public.audit)", ct));
        Assert.Equal(history, await Sql.ScalarAsync<string>(connection, DrizzleShapedSchema.HistorySql, ct));
        Assert.Equal(1, await Sql.ScalarAsync<int>(connection, "INSERT INTO app.users (email) VALUES ('a@b') RETURNING id", ct));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, DrizzleShapedSchema.PendingSql, ct));
    }

    private static async Task<DistributedApplication> StartStackAsync(CancellationToken ct)
    {
        var app = await TestStack.StartAppHostAsync(ct);
        await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct); // app_dev migrated, and nothing writes to it any more
        return app;
    }

    private static string RecordPath(DistributedApplication app) => Path.Combine(app.StateDirectory, StackRecord.FileName);

    private static string OwnerPassword(DistributedApplication app) => ((PostgresDatabaseResource)app.Model["app_dev"]).OwnerPassword.Value;

    /// <summary>The configuration a project gets from the AppHost: its rendered environment, as the .NET environment provider reads it.</summary>
    private static async Task<IConfiguration> ConfigurationOfAsync(DistributedApplication app, string resource, CancellationToken ct)
    {
        var environment = await EnvironmentRenderer.RenderEnvironmentAsync(app.Model[resource], NetworkContext.Host, ct);
        return new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
    }
}
