using StackModel.MigrationRunner.Database;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Before changing anything the runner proves it reached the database and server port the stack expects.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TargetVerificationTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task A_connection_to_another_database_is_refused_with_expected_and_actual_names()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__ExpectedDatabase"] = "app_dev";

        var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(runner.ExitCode == (int)MigrationExitCode.TargetMismatch, runner.ToString());
        Assert.Contains($"reached database \"{database.Name}\"", runner.Output, StringComparison.Ordinal);
        Assert.Contains("expects database \"app_dev\"", runner.Output, StringComparison.Ordinal);
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_connection_as_another_role_than_the_expected_migrator_is_refused_and_the_right_one_is_checked_and_said_so()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var environment = database.RunnerEnvironment(folder.Path);
        environment["Migrations__ExpectedDatabase"] = database.Name;
        environment["Migrations__ExpectedRole"] = "app_dev_owner"; // what publish compose sets; the test connects as another role

        var refused = await RunnerProcess.RunAsync(environment, timeout.Token);

        Assert.True(refused.ExitCode == (int)MigrationExitCode.TargetMismatch, refused.ToString());
        Assert.Contains("expects its migrator role \"app_dev_owner\"", refused.Output, StringComparison.Ordinal);
        Assert.Empty(await database.RelationsAsync(timeout.Token));

        environment["Migrations__ExpectedRole"] = new Npgsql.NpgsqlConnectionStringBuilder(environment["ConnectionStrings__app_dev"]).Username;
        var connected = await RunnerProcess.RunAsync(environment, timeout.Token);
        Assert.True(connected.ExitCode == 0, connected.ToString());
        Assert.Contains("not checked: the cluster's identity", connected.Output, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_connection_to_a_server_on_another_port_is_refused_with_expected_and_actual_ports()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);

        var result = await database.MigrateAsync(folder.Path, timeout.Token, new MigrationTarget(database.Name, 15432));

        Assert.Equal(MigrationExitCode.TargetMismatch, result.ExitCode);
        Assert.Contains($"server port {database.Port}", result.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("server port 15432", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(await database.RelationsAsync(timeout.Token));
    }

    [PostgresFact]
    public async Task A_corrupt_stack_record_is_refused_naming_the_file_and_the_fix_and_is_left_as_it_was()
    {
        using var timeout = RunnerTimeouts.ForTest();
        using var folder = new MigrationFolderBuilder().Add("0000_users", "CREATE TABLE \"users\" (\"id\" integer);");
        var database = await server.CreateDatabaseAsync(timeout.Token);
        var state = Directory.CreateTempSubdirectory("stackmodel-record-");
        try
        {
            var record = Path.Combine(state.FullName, "stack.json");
            const string Truncated = "{\n  \"stackId\": \"0123456789ab";
            await File.WriteAllTextAsync(record, Truncated, timeout.Token);
            var environment = database.RunnerEnvironment(folder.Path);
            environment["Stack__RecordPath"] = record;

            var runner = await RunnerProcess.RunAsync(environment, timeout.Token);

            Assert.True(runner.ExitCode == (int)MigrationExitCode.TargetMismatch, runner.ToString());
            Assert.Contains($"The stack record '{record}' is corrupt", runner.Output, StringComparison.Ordinal);
            Assert.Contains($"delete the state folder '{state.FullName}'", runner.Output, StringComparison.Ordinal);
            Assert.Equal(Truncated, await File.ReadAllTextAsync(record, timeout.Token));
            Assert.Empty(await database.RelationsAsync(timeout.Token));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
