using System.Text.Json.Nodes;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.IntegrationTests;

/// <summary>
/// PostgreSQL's volume on the container runtime belongs to one state folder (one checkout): a second checkout of the same AppHost
/// (same Stack:Name) gets its own, and a stack made before volume names carried the state folder's id keeps its old volume.
/// </summary>
[Trait("Category", "Container")]
public class ContainerVolumePerCheckoutTests
{
    [RequiresContainerEngineFact]
    public async Task Two_state_folders_with_the_same_stack_name_started_one_after_the_other_each_get_their_own_volume_and_data()
    {
        var ct = TestStack.Timeout();
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var stackName = "stackmodel-test-" + Guid.NewGuid().ToString("N")[..8];
        var firstVolume = ContainerMachine.PostgresVolume(stackName, first.Path);
        var secondVolume = ContainerMachine.PostgresVolume(stackName, second.Path);

        // A checkout made by an AppHost from before volume names carried the state folder's id: its volume is named after the stack only.
        var olderCheckoutsVolume = $"{stackName}-postgres-data";
        Assert.True((await ContainerMachine.Engine.RunAsync(["volume", "create", olderCheckoutsVolume], cancellationToken: ct)).Succeeded);
        try
        {
            Assert.NotEqual(firstVolume, secondVolume);
            await using (var app = await StartAsync(first.Path, stackName, ct))
            {
                var migrator = await app.GetMigratorConnectionStringAsync("app_dev", ct);
                await Sql(migrator, "CREATE TABLE checkout (name text); INSERT INTO checkout VALUES ('first')", ct);
                Assert.Equal(firstVolume, app.State.ReadRecord()!.ContainerVolume);
            }

            // Refused before volumes were per state folder ("The volume ... already exists"): the second checkout starts on its own.
            await using (var app = await StartAsync(second.Path, stackName, ct))
            {
                var migrator = await app.GetMigratorConnectionStringAsync("app_dev", ct);
                Assert.Null(await Sql(migrator, "SELECT to_regclass('public.checkout')::text", ct)); // a cluster of its own, not the first one's
                await Sql(migrator, "CREATE TABLE checkout (name text); INSERT INTO checkout VALUES ('second')", ct);
                Assert.Equal(secondVolume, app.State.ReadRecord()!.ContainerVolume);
            }

            await using (var app = await StartAsync(first.Path, stackName, ct))
            {
                Assert.Equal("first", await Sql(await app.GetMigratorConnectionStringAsync("app_dev", ct), "SELECT string_agg(name, ',') FROM checkout", ct));
            }

            Assert.Equal(
                new[] { olderCheckoutsVolume, firstVolume, secondVolume }.Select(v => $"volume {v}").Order(StringComparer.Ordinal),
                (await ContainerMachine.LeftoversAsync(stackName)).Order(StringComparer.Ordinal)); // the older checkout's volume untouched
        }
        finally
        {
            foreach (var volume in new[] { firstVolume, secondVolume, olderCheckoutsVolume })
            {
                await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", volume], cancellationToken: CancellationToken.None);
            }
        }
    }

    [RequiresContainerEngineFact]
    public async Task A_stack_record_from_before_volume_ids_keeps_using_its_old_volume_and_its_data_across_restarts()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = "stackmodel-test-" + Guid.NewGuid().ToString("N")[..8];
        var newVolume = ContainerMachine.PostgresVolume(stackName, state.Path);
        var oldVolume = $"{stackName}-postgres-data";
        try
        {
            await using (var app = await StartAsync(state.Path, stackName, ct))
            {
                await Sql(await app.GetMigratorConnectionStringAsync("app_dev", ct), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')", ct);
            }

            // What an older AppHost left: the cluster in <stack>-postgres-data and a record that names no volume.
            var copy = await ContainerMachine.Engine.RunAsync(
                ["run", "--rm", "--pull=never", "-v", $"{newVolume}:/from", "-v", $"{oldVolume}:/to", "--entrypoint", "sh", ContainerMachine.PostgresImage, "-c", "cp -a /from/. /to/"],
                cancellationToken: ct);
            Assert.True(copy.Succeeded, copy.Error);
            Assert.True((await ContainerMachine.Engine.RunAsync(["volume", "rm", newVolume], cancellationToken: ct)).Succeeded);
            var recordPath = Path.Combine(state.Path, StackRecord.FileName);
            var record = JsonNode.Parse(await File.ReadAllTextAsync(recordPath, ct))!.AsObject();
            Assert.True(record.Remove("containerVolume"));
            await File.WriteAllTextAsync(recordPath, record.ToJsonString(), ct);

            for (var start = 0; start < 2; start++)
            {
                await using var app = await StartAsync(state.Path, stackName, ct);
                Assert.Equal("survives", await Sql(await app.GetMigratorConnectionStringAsync("app_dev", ct), "SELECT v FROM kept", ct));
                Assert.Equal(oldVolume, app.State.ReadRecord()!.ContainerVolume); // named from now on
            }

            Assert.False(ContainerMachine.VolumeExists(newVolume), "no new cluster was made beside the old one");
            Assert.Equal([$"volume {oldVolume}"], await ContainerMachine.LeftoversAsync(stackName));
        }
        finally
        {
            await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", newVolume], cancellationToken: CancellationToken.None);
            await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", oldVolume], cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>A stack on a state folder the test keeps (its volume stays for the next start), up to a healthy <c>app_dev</c>.</summary>
    private static async Task<DistributedApplication> StartAsync(string stateDirectory, string stackName, CancellationToken ct)
    {
        var app = await TestStack.StartAppHostAsync(ct, $"--Stack:StateDirectory={stateDirectory}", $"--Stack:Name={stackName}", "--Stack:Runtime=container", "--LiteLLM:Runtime=off");
        try
        {
            await app.WaitForResourceHealthyAsync("app_dev", ct);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static async Task<string?> Sql(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value?.ToString();
    }
}
