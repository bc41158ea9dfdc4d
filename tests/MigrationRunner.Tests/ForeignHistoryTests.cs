using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>One migration system per database: the runner refuses a database another tool migrates; drizzle-orm does not look.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ForeignHistoryTests(PostgresServerFixture server)
{
    [PostgresTheory(RequiresNode = true)]
    [InlineData("public", "_prisma_migrations")]
    [InlineData("public", "LiteLLM_VerificationToken")]
    [InlineData("litellm", "LiteLLM_SpendLogs")]
    public async Task A_database_carrying_another_tools_migration_history_is_refused_where_drizzle_migrates_it(string schema, string table)
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        await database.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS \"{schema}\"; CREATE TABLE \"{schema}\".\"{table}\" (\"id\" text);", timeout.Token);
        var before = await database.RelationsAsync(timeout.Token);

        var runner = await RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.ForeignMigrationHistory, runner.ToString());
        Assert.Contains($"\"{schema}\".\"{table}\"", runner.Output, StringComparison.Ordinal);
        Assert.Equal(before, await database.RelationsAsync(timeout.Token));
        Assert.False(await database.SchemaExistsAsync("drizzle", timeout.Token));

        // drizzle-orm migrates the shared database without a word: the failure mode StackModel exists to prevent.
        var drizzle = await DrizzleCli.MigrateAsync(database, folder.Path, timeout.Token);
        Assert.True(drizzle.ExitCode == 0, drizzle.ToString());
        Assert.True(await database.TableExistsAsync("public", "users", timeout.Token));
    }
}
