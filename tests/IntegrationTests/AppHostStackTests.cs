using Npgsql;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

public class AppHostStackTests
{
    [RequiresPostgresFact]
    public async Task The_stack_brings_up_postgres_both_databases_and_runs_the_migration_runner_to_completion()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct);

        await app.WaitForResourceHealthyAsync("postgres", ct);
        await app.WaitForResourceHealthyAsync("app_dev", ct);
        await app.WaitForResourceHealthyAsync("litellm_dev", ct);
        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        Assert.Equal(0, runner.ExitCode);
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("app_dev", ct));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT current_database(), current_user", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        Assert.Equal("app_dev", reader.GetString(0));
        Assert.Equal("app_dev_user", reader.GetString(1)); // the runtime role: consumers other than the migration system never get the migrator
    }

    [RequiresPostgresFact]
    public async Task Each_database_owner_is_refused_by_the_other_database()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct);
        await StackAssertions.EachOwnerIsRefusedByTheOtherDatabaseAsync(app, ct);
    }
}
