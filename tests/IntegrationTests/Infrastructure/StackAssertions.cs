using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>Checks shared by the process-runtime and container-runtime versions of a test.</summary>
internal static class StackAssertions
{
    /// <summary>Each database's credentials, its runtime role's and its migrator's alike, aimed at the other database, are refused by PostgreSQL (42501).</summary>
    public static async Task EachOwnerIsRefusedByTheOtherDatabaseAsync(DistributedApplication app, CancellationToken ct)
    {
        await app.WaitForResourceHealthyAsync("litellm_dev", ct);
        await app.WaitForResourceHealthyAsync("app_dev", ct);

        var crossings = new List<NpgsqlConnectionStringBuilder>();
        foreach (var (database, other) in new[] { ("litellm_dev", "app_dev"), ("app_dev", "litellm_dev") })
        {
            crossings.Add(new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync(database, ct)) { Database = other, Pooling = false });
            crossings.Add(new NpgsqlConnectionStringBuilder(await app.GetMigratorConnectionStringAsync(database, ct)) { Database = other, Pooling = false });
        }

        foreach (var crossed in crossings)
        {
            await using var connection = new NpgsqlConnection(crossed.ConnectionString);
            var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        }
    }

    /// <summary>The server failed to start because this test process holds its port, and the reason says so and how to fix it.</summary>
    public static void FailedBecauseThisProcessHoldsThePort(ResourceSnapshot snapshot, int port)
    {
        Assert.Equal(ResourceState.FailedToStart, snapshot.State);
        Assert.Contains($"Port {port} on 127.0.0.1 is held by", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", snapshot.Reason, StringComparison.Ordinal);
        Assert.Contains("change the port", snapshot.Reason, StringComparison.Ordinal);
    }
}
