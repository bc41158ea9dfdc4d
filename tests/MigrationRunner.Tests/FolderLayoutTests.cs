using Npgsql;
using StackModel.MigrationRunner.Folders;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>The drizzle-orm 1.0 layout is read too; the layout is detected, and a folder with both or neither is refused.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FolderLayoutTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task A_drizzle_1_0_folder_is_applied_in_name_order_recording_name_created_at_and_applied_at()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .AddFolderMigration("20250102030405_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);")
            .AddFolderMigration("20250203040506_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer REFERENCES \"users\"(\"id\"));");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var first = await database.MigrateAsync(folder.Path, timeout.Token);
        var second = await database.MigrateAsync(folder.Path, timeout.Token);

        Assert.True(first.Successful, first.Error?.Message);
        Assert.Equal(["20250102030405_users", "20250203040506_orders"], first.Scripts.Select(script => script.Name));
        Assert.Empty(second.Scripts);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(timeout.Token);
        await using var command = new NpgsqlCommand("SELECT name, created_at, applied_at IS NOT NULL FROM drizzle.__drizzle_migrations ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(timeout.Token);
        Assert.True(await reader.ReadAsync(timeout.Token));
        Assert.Equal("20250102030405_users", reader.GetString(0));
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds(), reader.GetInt64(1));
        Assert.True(reader.GetBoolean(2));
    }

    [PostgresFact]
    public async Task A_drizzle_1_0_folder_against_a_0_45_history_table_is_refused()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var journal = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        using var folders = new MigrationFolderBuilder().AddFolderMigration("20250102030405_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        Assert.True((await database.MigrateAsync(journal.Path, timeout.Token)).Successful);

        var result = await database.MigrateAsync(folders.Path, timeout.Token);

        Assert.Equal(MigrationExitCode.HistoryConflict, result.ExitCode);
        Assert.Contains("0.45", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_with_both_layouts_is_refused_naming_both()
    {
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);")
            .AddFolderMigration("20250102030405_users", "CREATE TABLE \"users\" (\"id\" integer);");

        var error = Assert.Throws<MigrationException>(() => MigrationFolderReader.Read(folder.Path));

        Assert.Equal(MigrationExitCode.InvalidInput, error.ExitCode);
        Assert.Contains("mixes two layouts", error.Message, StringComparison.Ordinal);
        Assert.Contains("20250102030405_users", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_folder_is_refused_as_neither_layout()
    {
        using var folder = new MigrationFolderBuilder();

        var error = Assert.Throws<MigrationException>(() => MigrationFolderReader.Read(folder.Path));

        Assert.Equal(MigrationExitCode.InvalidInput, error.ExitCode);
        Assert.Contains("neither", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_1_0_migration_folder_without_a_timestamp_name_is_refused()
    {
        using var folder = new MigrationFolderBuilder().AddFolderMigration("users", "CREATE TABLE \"users\" (\"id\" integer);");

        var error = Assert.Throws<MigrationException>(() => MigrationFolderReader.Read(folder.Path));

        Assert.Contains("<YYYYMMDDHHMMSS>_<name>", error.Message, StringComparison.Ordinal);
    }
}
