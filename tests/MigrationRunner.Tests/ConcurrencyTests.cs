using StackModel.MigrationRunner.Database;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Runners started at once serialize on advisory lock <see cref="MigrationLock.Key"/>; drizzle-orm's do not.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrencyTests(PostgresServerFixture server)
{
    private const int Runners = 4;

    [PostgresFact]
    public async Task Runners_started_at_once_apply_each_migration_exactly_once_and_all_exit_zero()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_log", "CREATE TABLE \"applied_log\" (\"migration\" text NOT NULL);", "INSERT INTO \"applied_log\" VALUES ('0000');")
            .Add("0001_slow", "SELECT pg_sleep(1);", "INSERT INTO \"applied_log\" VALUES ('0001');");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var results = await Task.WhenAll(Enumerable.Range(0, Runners)
            .Select(_ => RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token)));

        Assert.All(results, result => Assert.True(result.ExitCode == 0, result.ToString()));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM \"applied_log\"", timeout.Token));
        Assert.Equal(2, (await database.HistoryAsync(timeout.Token)).Count);
    }

    [PostgresFact(RequiresNode = true)]
    public async Task Drizzle_runners_started_at_once_apply_the_same_migration_twice()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_slow", "SELECT pg_sleep(3);", "INSERT INTO \"applied_log\" VALUES ('0000');");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        await database.ExecuteAsync(
            """
            CREATE TABLE "applied_log" ("migration" text NOT NULL);
            CREATE SCHEMA "drizzle";
            CREATE TABLE "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
            """,
            timeout.Token);

        var results = await Task.WhenAll(
            DrizzleCli.MigrateAsync(database, folder.Path, timeout.Token),
            DrizzleCli.MigrateAsync(database, folder.Path, timeout.Token));

        // Both report success, and the migration ran twice: what the runner's lock prevents.
        Assert.All(results, result => Assert.True(result.ExitCode == 0, result.ToString()));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM \"applied_log\"", timeout.Token));
        Assert.Equal(2, (await database.HistoryAsync(timeout.Token)).Count);
    }
}
