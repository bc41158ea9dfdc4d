using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Where drizzle-orm silently does the wrong thing with its history, the runner refuses before applying anything.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HistoryConflictTests(PostgresServerFixture server)
{
    [PostgresFact(RequiresNode = true)]
    public async Task An_applied_migration_whose_file_changed_is_refused_naming_the_file_and_both_hashes_where_drizzle_ignores_the_change()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        Assert.True((await database.MigrateAsync(folder.Path, timeout.Token)).Successful);
        var appliedHash = (await database.HistoryAsync(timeout.Token))[0].Hash;
        File.WriteAllText(folder.SqlPath("0000_users"), "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY, \"email\" text);");
        folder.Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY);");
        var editedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(folder.SqlPath("0000_users"))));

        var runner = await RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.HistoryConflict, runner.ToString());
        Assert.Contains(folder.SqlPath("0000_users"), runner.Output, StringComparison.Ordinal);
        Assert.Contains(appliedHash, runner.Output, StringComparison.Ordinal);
        Assert.Contains(editedHash, runner.Output, StringComparison.Ordinal);
        Assert.False(await database.TableExistsAsync("public", "orders", timeout.Token));

        // drizzle-orm applies the next file and never notices that the applied one changed.
        var drizzle = await DrizzleCli.MigrateAsync(database, folder.Path, timeout.Token);
        Assert.True(drizzle.ExitCode == 0, drizzle.ToString());
        Assert.True(await database.TableExistsAsync("public", "orders", timeout.Token));
        Assert.False(await database.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email')", timeout.Token));
    }

    [PostgresFact(RequiresNode = true)]
    public async Task A_pending_entry_not_newer_than_the_last_applied_one_is_refused_by_name_where_drizzle_skips_it_forever()
    {
        using var timeout = RunnerTimeouts.ForTest();
        const long When = MigrationFolderBuilder.BaseWhen;
        using var folder = new MigrationFolderBuilder()
            .AddWithWhen("0000_a", When, "CREATE TABLE \"a\" (\"id\" integer);")
            .AddWithWhen("0001_b", When + 2_000, "CREATE TABLE \"b\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        Assert.True((await database.MigrateAsync(folder.Path, timeout.Token)).Successful);
        folder.AddWithWhen("0002_from_an_older_branch", When + 1_000, "CREATE TABLE \"c\" (\"id\" integer);");

        var runner = await database.MigrateAsync(folder.Path, timeout.Token);

        Assert.Equal(MigrationExitCode.HistoryConflict, runner.ExitCode);
        Assert.Contains("\"0002_from_an_older_branch\"", runner.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("\"0001_b\"", runner.Error.Message, StringComparison.Ordinal);

        // drizzle-orm reports success and never creates "c".
        var drizzle = await DrizzleCli.MigrateAsync(database, folder.Path, timeout.Token);
        Assert.True(drizzle.ExitCode == 0, drizzle.ToString());
        Assert.False(await database.TableExistsAsync("public", "c", timeout.Token));
        Assert.Equal(2, (await database.HistoryAsync(timeout.Token)).Count);
    }

    [PostgresFact]
    public async Task History_rows_that_match_no_migration_in_the_folder_are_refused()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var newer = new MigrationFolderBuilder()
            .Add("0000_a", "CREATE TABLE \"a\" (\"id\" integer);")
            .Add("0001_b", "CREATE TABLE \"b\" (\"id\" integer);");
        using var older = new MigrationFolderBuilder().Add("0000_a", "CREATE TABLE \"a\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        Assert.True((await database.MigrateAsync(newer.Path, timeout.Token)).Successful);

        var result = await database.MigrateAsync(older.Path, timeout.Token);

        Assert.Equal(MigrationExitCode.HistoryConflict, result.ExitCode);
        Assert.Contains($"created_at {MigrationFolderBuilder.BaseWhen + 60_000}", result.Error!.Message, StringComparison.Ordinal);
    }
}
