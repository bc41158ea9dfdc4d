using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>The runner as the AppHost runs it: a whole process, configured by environment variables, judged by its exit code.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkerProcessTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task The_runner_migrates_the_app_schema_exits_zero_and_says_it_runs_without_a_litellm_wait()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var first = await RunnerProcess.RunAsync(database.RunnerEnvironment(TestPaths.AppMigrations), timeout.Token);
        var second = await RunnerProcess.RunAsync(database.RunnerEnvironment(TestPaths.AppMigrations), timeout.Token);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("without a LiteLLM wait", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 migration(s) applied", first.StandardOutput, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 migration(s) applied", second.StandardOutput, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task The_runner_waits_for_the_health_url_to_answer_200_logging_each_attempt_before_touching_the_database()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        await using var litellm = new HealthEndpointStandIn(unhealthyAnswers: 2);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__WaitForHealthUrl"] = litellm.Url.ToString();

        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(runner.ExitCode == 0, runner.ToString());
        Assert.Equal(3, litellm.Requests);
        Assert.Contains("Health probe 1 of", runner.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", runner.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Health probe 3 of", runner.StandardOutput, StringComparison.Ordinal);
        Assert.True(await database.TableExistsAsync("public", "users", timeout.Token));
    }

    [PostgresFact]
    public async Task A_dependency_that_never_answers_200_within_the_timeout_exits_with_dependency_not_healthy_and_leaves_the_database_alone()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        await using var litellm = new HealthEndpointStandIn(unhealthyAnswers: int.MaxValue);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__WaitForHealthUrl"] = litellm.Url.ToString();
        environment["Migrations__WaitTimeout"] = "2";

        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.DependencyNotHealthy, runner.ToString());
        Assert.Contains(litellm.Url.ToString(), runner.StandardError, StringComparison.Ordinal);
        Assert.Contains("within 2 s", runner.StandardError, StringComparison.Ordinal);
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [Fact]
    public async Task A_missing_connection_string_exits_with_invalid_input_naming_the_variable()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");

        var runner = await RunnerProcess.RunAsync(
            new Dictionary<string, string?> { ["Migrations__Path"] = folder.Path, ["Migrations__ConnectionName"] = "app_db_missing" },
            timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.InvalidInput, runner.ToString());
        Assert.Contains("ConnectionStrings__app_db_missing", runner.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_migrations_path_exits_with_invalid_input_naming_the_setting()
    {
        using var timeout = RunnerTimeouts.ForTest();

        var runner = await RunnerProcess.RunAsync(new Dictionary<string, string?> { ["ConnectionStrings__app_dev"] = "Host=127.0.0.1" }, timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.InvalidInput, runner.ToString());
        Assert.Contains("Migrations:Path is not set", runner.StandardError, StringComparison.Ordinal);
    }
}
