using System.Text.RegularExpressions;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// The migration runner is declared WithStartGate(): its process starts with the stack and is held until what it waits for
/// is ready. Its start-up overlaps PostgreSQL's; its first connection does not.
/// </summary>
public partial class StartGateTests
{
    [RequiresPostgresFact]
    public async Task The_runner_starts_with_the_stack_but_connects_only_after_its_database_is_healthy()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct);

        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
        var appDb = await app.WaitForResourceHealthyAsync("app_dev", ct);

        Assert.Equal(0, runner.ExitCode);
        var lines = app.ResourceLogs.GetLines("migrations");
        var heldAtGate = Assert.Single(lines, l => l.Text.Contains("held at its start gate", StringComparison.Ordinal));
        var verified = Assert.Single(lines, l => l.Text.Contains("Target verified", StringComparison.Ordinal));
        Assert.True(heldAtGate.Timestamp < appDb.StartedAt, $"The process started at {heldAtGate.Timestamp:O}, not before app_dev was healthy at {appDb.StartedAt:O}.");
        Assert.True(verified.Timestamp >= appDb.StartedAt, $"The runner connected at {verified.Timestamp:O}, before app_dev was healthy at {appDb.StartedAt:O}.");
        Assert.True(runner.StartedAt >= appDb.StartedAt, "The resource shows Starting only once the gate opens.");
    }

    [RequiresPostgresFact]
    public async Task Run_again_starts_a_new_held_process_whose_gate_opens_at_once()
    {
        var ct = TestStack.Timeout();
        await using var app = await TestStack.StartAppHostAsync(ct);
        var first = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        await app.Orchestrator.StartResourceAsync("migrations", ct);
        var again = await app.ResourceNotifications.WaitForResourceAsync(
            "migrations", s => s.State == ResourceState.Finished && s.StartedAt > first.StartedAt, ct);

        Assert.Equal(0, again.ExitCode);
        var lines = app.ResourceLogs.GetLines("migrations");
        Assert.Equal(2, lines.Count(l => l.Text.Contains("held at its start gate", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Text.Contains("Database is up to date: 0 migration(s) applied", StringComparison.Ordinal));
    }

    [RequiresPostgresFact]
    public async Task When_what_it_waits_for_fails_the_held_process_is_stopped_and_touches_nothing()
    {
        var ct = TestStack.Timeout();
        await using var builder = DistributedApplicationTestingBuilder.Create();
        var appDb = builder.AddPostgres("postgres", port: 1).AddDatabase("app_dev");
        var broken = builder.AddExecutable("seed", "sh", ".", "-c", "sleep 1; exit 3");
        builder.AddProject<Projects.MigrationRunner>("migrations")
            .WithStartGate()
            .WithReference(appDb)
            .WithEnvironment("Migrations__Path", Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.MigrationRunner().ProjectPath)!, "..", "db", "migrations")))
            .WaitFor(appDb)
            .WaitForCompletion(broken);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);

        var runner = await app.WaitForResourceAsync("migrations", ResourceState.FailedToStart, ct);
        await app.Orchestrator.WhenSettledAsync(ct);

        Assert.Contains("'seed'", runner.Reason, StringComparison.Ordinal);
        var held = Assert.Single(app.ResourceLogs.GetLines("migrations"), l => l.Text.Contains("held at its start gate", StringComparison.Ordinal));
        var pid = int.Parse(HeldPid().Match(held.Text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await WaitUntilGoneAsync(pid, ct);
        Assert.Equal(ResourceState.FailedToStart, app.ResourceNotifications.TryGetSnapshot("migrations")!.State);
        var connection = await app.GetConnectionStringAsync("app_dev", ct);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM pg_namespace WHERE nspname = 'drizzle'", ct));
        Assert.DoesNotContain(app.ResourceLogs.GetLines("migrations"), l => l.Text.Contains("Target verified", StringComparison.Ordinal));
    }

    private static async Task WaitUntilGoneAsync(int pid, CancellationToken ct)
    {
        while (Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("MigrationRunner", StringComparison.Ordinal))
        {
            await Task.Delay(50, ct);
        }
    }

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex HeldPid();
}
