using System.Text;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>drizzle-orm 0.45.4's own migrator and the runner, on the same folders and the same server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DrizzleCompatibilityTests(PostgresServerFixture server)
{
    [PostgresFact(RequiresNode = true)]
    public async Task Drizzle_and_the_runner_write_identical_history_rows_for_the_app_migrations()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var byDrizzle = await server.CreateDatabaseAsync(timeout.Token);
        var byRunner = await server.CreateDatabaseAsync(timeout.Token);

        var drizzle = await DrizzleCli.MigrateAsync(byDrizzle, TestPaths.AppMigrations, timeout.Token);
        var runner = await RunnerProcess.RunAsync(byRunner.RunnerEnvironment(TestPaths.AppMigrations), timeout.Token);

        Assert.True(drizzle.ExitCode == 0, drizzle.ToString());
        Assert.True(runner.ExitCode == 0, runner.ToString());
        var expected = await byDrizzle.HistoryAsync(timeout.Token);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, await byRunner.HistoryAsync(timeout.Token));
        Assert.Equal(await byDrizzle.RelationsAsync(timeout.Token), await byRunner.RelationsAsync(timeout.Token));
    }

    [PostgresFact(RequiresNode = true)]
    public async Task The_runner_applies_nothing_to_a_database_drizzle_migrated_and_drizzle_applies_nothing_after_the_runner()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var byDrizzle = await server.CreateDatabaseAsync(timeout.Token);
        var byRunner = await server.CreateDatabaseAsync(timeout.Token);
        Assert.Equal(0, (await DrizzleCli.MigrateAsync(byDrizzle, TestPaths.AppMigrations, timeout.Token)).ExitCode);
        Assert.True((await byRunner.MigrateAsync(TestPaths.AppMigrations, timeout.Token)).Successful);
        var drizzleHistory = await byDrizzle.HistoryAsync(timeout.Token);
        var runnerHistory = await byRunner.HistoryAsync(timeout.Token);

        var runnerAfterDrizzle = await byDrizzle.MigrateAsync(TestPaths.AppMigrations, timeout.Token);
        var drizzleAfterRunner = await DrizzleCli.MigrateAsync(byRunner, TestPaths.AppMigrations, timeout.Token);

        Assert.True(runnerAfterDrizzle.Successful, runnerAfterDrizzle.Error?.Message);
        Assert.Empty(runnerAfterDrizzle.Scripts);
        Assert.Equal(drizzleHistory, await byDrizzle.HistoryAsync(timeout.Token));
        Assert.True(drizzleAfterRunner.ExitCode == 0, drizzleAfterRunner.ToString());
        Assert.Equal(runnerHistory, await byRunner.HistoryAsync(timeout.Token));
    }

    [PostgresFact(RequiresNode = true)]
    public async Task A_database_migrated_half_by_drizzle_and_half_by_the_runner_matches_one_migrated_by_drizzle_alone()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var firstHalf = new MigrationFolderBuilder().Add("0000_a", "CREATE TABLE \"a\" (\"id\" integer PRIMARY KEY);");
        using var full = new MigrationFolderBuilder()
            .Add("0000_a", "CREATE TABLE \"a\" (\"id\" integer PRIMARY KEY);")
            .Add("0001_b", "CREATE TABLE \"b\" (\"id\" integer PRIMARY KEY);");
        var mixed = await server.CreateDatabaseAsync(timeout.Token);
        var drizzleOnly = await server.CreateDatabaseAsync(timeout.Token);

        Assert.Equal(0, (await DrizzleCli.MigrateAsync(mixed, firstHalf.Path, timeout.Token)).ExitCode);
        var runner = await mixed.MigrateAsync(full.Path, timeout.Token);
        Assert.Equal(0, (await DrizzleCli.MigrateAsync(drizzleOnly, full.Path, timeout.Token)).ExitCode);

        Assert.Equal(["0001_b"], runner.Scripts.Select(script => script.Name));
        Assert.Equal(await drizzleOnly.HistoryAsync(timeout.Token), await mixed.HistoryAsync(timeout.Token));
    }

    [PostgresFact(RequiresNode = true)]
    public async Task Files_with_crlf_multi_statement_chunks_comment_only_chunks_and_dollar_quotes_are_hashed_split_and_applied_as_drizzle_does()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var crlf = Encoding.UTF8.GetBytes(
            "CREATE TABLE \"crlf\" (\"id\" integer PRIMARY KEY, \"note\" text DEFAULT '\u00fcn\u00efc\u00f8d\u00e9');\r\n--> statement-breakpoint\r\n" +
            "INSERT INTO \"crlf\" VALUES (1); INSERT INTO \"crlf\" VALUES (2);\r\n--> statement-breakpoint\r\n" +
            "-- only a comment in this chunk\r\n--> statement-breakpoint\r\n");
        using var folder = new MigrationFolderBuilder()
            .AddRaw("0000_crlf", MigrationFolderBuilder.BaseWhen, crlf)
            .AddRaw("0001_dollar", MigrationFolderBuilder.BaseWhen + 60_000, Encoding.UTF8.GetBytes(
                "CREATE FUNCTION \"one\"() RETURNS integer AS $$ SELECT 1; $$ LANGUAGE sql;--> statement-breakpoint\n" +
                "DO $$ BEGIN PERFORM \"one\"(); END $$;"));
        var byDrizzle = await server.CreateDatabaseAsync(timeout.Token);
        var byRunner = await server.CreateDatabaseAsync(timeout.Token);

        var drizzle = await DrizzleCli.MigrateAsync(byDrizzle, folder.Path, timeout.Token);
        var runner = await byRunner.MigrateAsync(folder.Path, timeout.Token);

        Assert.True(drizzle.ExitCode == 0, drizzle.ToString());
        Assert.True(runner.Successful, runner.Error?.Message);
        var history = await byRunner.HistoryAsync(timeout.Token);
        Assert.Equal(await byDrizzle.HistoryAsync(timeout.Token), history);
        Assert.Equal(Sha256Hex(crlf), history[0].Hash);
        Assert.Equal(2L, await byRunner.ScalarAsync<long>("SELECT count(*) FROM \"crlf\"", timeout.Token));
    }

    [PostgresFact(RequiresNode = true)]
    public async Task A_file_with_a_byte_order_mark_fails_under_both_tools_and_the_runner_says_why()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .AddRaw("0000_bom", MigrationFolderBuilder.BaseWhen, [0xEF, 0xBB, 0xBF, .. "CREATE TABLE \"a\" (\"id\" integer);"u8.ToArray()]);
        var byDrizzle = await server.CreateDatabaseAsync(timeout.Token);
        var byRunner = await server.CreateDatabaseAsync(timeout.Token);

        var drizzle = await DrizzleCli.MigrateAsync(byDrizzle, folder.Path, timeout.Token);
        var runner = await byRunner.MigrateAsync(folder.Path, timeout.Token);

        Assert.NotEqual(0, drizzle.ExitCode);
        Assert.Equal(MigrationExitCode.MigrationFailed, runner.ExitCode);
        Assert.Contains("byte order mark", runner.Error!.Message, StringComparison.Ordinal);
        Assert.Empty(await byRunner.HistoryAsync(timeout.Token));
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
