using System.Net;
using System.Net.Sockets;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Bad input gets a clear error (what, where, how to fix), nothing is applied and the database is unchanged.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task A_missing_folder_is_refused_naming_the_folder_and_the_setting()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var missing = Path.Combine(Path.GetTempPath(), "stackmodel-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var result = await database.MigrateAsync(missing, timeout.Token);

        AssertRefused(result, MigrationExitCode.InvalidInput, missing, "Migrations:Path", "Fix:");
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_malformed_journal_is_refused_naming_the_journal()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        File.WriteAllText(folder.JournalPath, "{\"version\":\"7\",\"entries\":[{\"idx\":0,<<<<<<< HEAD");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.InvalidInput, folder.JournalPath, "not valid JSON", "Fix:");
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_folder_of_sql_files_without_its_journal_is_refused_naming_the_missing_journal()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        File.Delete(folder.JournalPath);
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.InvalidInput, folder.JournalPath, "journal", "Fix:");
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_journal_entry_whose_file_is_missing_is_refused_naming_the_entry_and_the_file()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);")
            .Add("0001_orders", "CREATE TABLE \"orders\" (\"id\" integer);");
        File.Delete(folder.SqlPath("0001_orders"));
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.InvalidInput, folder.SqlPath("0001_orders"), "entry 1 (\"0001_orders\")", "Fix:");
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_file_that_is_not_valid_utf8_is_refused_naming_the_file_and_the_offset()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .AddRaw("0000_latin1", MigrationFolderBuilder.BaseWhen, [.. "CREATE TABLE \"caf"u8.ToArray(), 0xE9, .. "\" (\"id\" integer);"u8.ToArray()]);
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.InvalidInput, folder.SqlPath("0000_latin1"), "not valid UTF-8", "byte offset 17", "Fix:");
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_statement_that_fails_half_way_rolls_back_every_pending_migration_and_names_the_file_and_statement()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);")
            .Add(
                "0001_orders",
                "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer);",
                "ALTER TABLE \"orders\" ADD CONSTRAINT \"orders_user_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"no_such_table\"(\"id\");",
                "CREATE INDEX \"orders_user_id_idx\" ON \"orders\" (\"user_id\");");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.MigrationFailed, folder.SqlPath("0001_orders"), "statement 2 of 3", "line 3", "42P01", "no_such_table", "rolled back", "Fix:");
        Assert.Equal("0001_orders", result.ErrorScript?.Name);
        Assert.False(await database.TableExistsAsync("public", "users", timeout.Token));
        Assert.False(await database.TableExistsAsync("public", "orders", timeout.Token));
        Assert.Empty(await database.HistoryAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_multi_statement_chunk_that_fails_is_named_by_its_chunk_and_rolled_back()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY); INSERT INTO \"users\" VALUES (1);", "INSERT INTO \"users\" VALUES (1); SELECT 1;");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        AssertRefused(result, MigrationExitCode.MigrationFailed, folder.SqlPath("0000_users"), "statement 2 of 2", "23505");
        Assert.False(await database.TableExistsAsync("public", "users", timeout.Token));
    }

    [PostgresFact]
    public async Task An_unreachable_database_exits_with_database_unreachable_naming_host_and_port()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var closedPort = ClosedPort();
        var environment = database.RunnerEnvironment(folder.Path);
        environment["ConnectionStrings__app_dev"] = database.ConnectionString.Replace($"Port={database.Port}", $"Port={closedPort}", StringComparison.Ordinal);

        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.DatabaseUnreachable, runner.ToString());
        Assert.Contains($"127.0.0.1:{closedPort}", runner.Output, StringComparison.Ordinal);
        Assert.Contains("Fix:", runner.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Password, runner.Output, StringComparison.Ordinal);
    }

    private static void AssertRefused(MigrationResult result, MigrationExitCode exitCode, params string[] messageParts)
    {
        Assert.False(result.Successful);
        Assert.Empty(result.Scripts);
        Assert.Equal(exitCode, result.ExitCode);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, result.Error!.Message, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
