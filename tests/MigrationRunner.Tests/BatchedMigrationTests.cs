using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>
/// drizzle-kit-shaped files go to the server together, many in one Npgsql batch (one round trip instead of one per file):
/// a failure deep inside such a batch still names its file, statement and line and leaves the history as it was; a file
/// whose statement answers rows does not confuse which history row belongs to which file; hand-written files in
/// between still go statement by statement. Real PostgreSQL, the real runner (in-process engine or whole process).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchedMigrationTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task A_failure_in_the_150th_file_of_one_batch_names_its_file_statement_and_line_and_leaves_the_history_as_it_was()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder();
        for (var i = 0; i < 10; i++)
        {
            AddTable(folder, i);
        }

        var database = await server.CreateDatabaseAsync(timeout.Token);
        var first = await RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token);
        Assert.True(first.ExitCode == 0, first.ToString());
        var historyBefore = await database.HistoryAsync(timeout.Token);
        var relationsBefore = await database.RelationsAsync(timeout.Token);
        Assert.Equal(10, historyBefore.Count);

        // 200 pending files, all drizzle-kit-shaped (one batch); the 150th fails at its second statement, on line 4 of its file.
        const string failingStatement = "ALTER TABLE \"t_159\" ADD CONSTRAINT \"t_159_owner_fk\" FOREIGN KEY (\"owner_id\") REFERENCES \"owners\"(\"id\");";
        for (var i = 10; i < 210; i++)
        {
            if (i == 159)
            {
                folder.Add(
                    "0159_t_159",
                    "CREATE TABLE \"t_159\" (\"id\" integer PRIMARY KEY, \"owner_id\" integer);",
                    "\n" + failingStatement,
                    "CREATE INDEX \"t_159_owner_idx\" ON \"t_159\" (\"owner_id\");");
            }
            else
            {
                AddTable(folder, i);
            }
        }

        var runner = await RunnerProcess.RunAsync(database.RunnerEnvironment(folder.Path), timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.MigrationFailed, runner.ToString());
        Assert.Contains("Sending 200 migration(s), 0010_t_010 to 0209_t_209, in one round trip", runner.Output, StringComparison.Ordinal);
        Assert.Contains(
            $"Migration \"0159_t_159\" failed at statement 2 of 3 (\"{folder.SqlPath("0159_t_159")}\", line 4): 42P01: relation \"owners\" does not exist. " +
            $"Statement: {failingStatement} Nothing was applied: the one transaction holding every pending migration was rolled back.",
            runner.Output,
            StringComparison.Ordinal);
        Assert.Contains("exit code 6 (MigrationFailed)", runner.Output, StringComparison.Ordinal);

        // The 149 files before it in the same batch, and the 50 after it, left nothing: history and relations as before.
        Assert.Equal(historyBefore, await database.HistoryAsync(timeout.Token));
        Assert.Equal(relationsBefore, await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task Files_whose_statements_answer_rows_and_hand_written_files_between_batches_get_their_own_history_rows_in_order()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder()
            .Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY, \"name\" text);")
            .Add("0001_seed", "INSERT INTO \"users\" VALUES (1, 'a'), (2, 'b') RETURNING \"id\", \"name\";", "SELECT now() AS \"applied_at\";")
            .Add("0002_hand_written", "CREATE TABLE \"notes\" (\"id\" integer PRIMARY KEY); CREATE TABLE \"tags\" (\"id\" integer PRIMARY KEY);")
            .Add("0003_orders", "CREATE TABLE \"orders\" (\"id\" integer PRIMARY KEY, \"user_id\" integer REFERENCES \"users\"(\"id\"));")
            .Add("0004_count", "SELECT count(*) FROM \"orders\";");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token);

        Assert.True(result.Successful, result.Error?.ToString());
        Assert.Equal(["0000_users", "0001_seed", "0002_hand_written", "0003_orders", "0004_count"], result.Scripts.Select(script => script.Name));
        var history = await database.HistoryAsync(timeout.Token);
        Assert.Equal(result.Scripts.Select(script => (script.Hash, script.CreatedAt)), history);
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM \"users\"", timeout.Token));
        Assert.True(await database.TableExistsAsync("public", "tags", timeout.Token));
        Assert.True(await database.TableExistsAsync("public", "orders", timeout.Token));

        // Run again: nothing pending.
        var again = await database.MigrateAsync(folder.Path, timeout.Token);
        Assert.True(again.Successful, again.Error?.ToString());
        Assert.Empty(again.Scripts);
    }

    private static void AddTable(MigrationFolderBuilder folder, int i)
    {
        var table = $"t_{i:000}";
        folder.Add(
            $"{i:0000}_{table}",
            $"CREATE TABLE \"{table}\" (\"id\" integer PRIMARY KEY, \"owner_id\" integer);",
            $"CREATE INDEX \"{table}_owner_idx\" ON \"{table}\" (\"owner_id\");");
    }
}
