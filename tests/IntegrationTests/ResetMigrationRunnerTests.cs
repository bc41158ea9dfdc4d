using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Cli;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary><c>reset --recreate</c> runs the migration runner declared with <c>WithMigrations</c>, whatever its name, and only that one.</summary>
public class ResetMigrationRunnerTests
{
    [RequiresPostgresFact]
    public async Task Reset_recreate_runs_the_runner_declared_with_WithMigrations_whatever_its_name()
    {
        var ct = TestStack.Timeout();
        using var marks = new TempDirectory();
        await using var builder = DistributedApplicationTestingBuilder.Create();
        var appDb = builder.AddPostgres("postgres", port: 1).AddDatabase("app_dev");
        var schema = AddMigrationRunner(builder, "schema", appDb);

        // Another run-to-completion owner of app_dev with no endpoint: a name-based guess could take either.
        var seed = AddSeed(builder, appDb, marks.Path);
        appDb.WithMigrations(schema).WithOwner(seed);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceAsync("schema", ResourceState.Finished, ct);
        await app.WaitForResourceAsync("seed", ResourceState.Finished, ct);

        var (exitCode, output, error) = await InvokeAsync(app, ["reset", "app_dev", "--yes", "--recreate"], ct);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Recreated 'app_dev' and ran 'schema'.", output, StringComparison.Ordinal);
        var connection = await app.GetConnectionStringAsync("app_dev", ct);
        Assert.True(await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct) > 0);
        Assert.Equal(1, SeedRuns(marks.Path));
    }

    [RequiresPostgresFact]
    public async Task Reset_recreate_of_a_database_without_WithMigrations_says_how_to_declare_one_and_runs_nothing()
    {
        var ct = TestStack.Timeout();
        using var marks = new TempDirectory();
        await using var builder = DistributedApplicationTestingBuilder.Create();
        var appDb = builder.AddPostgres("postgres", port: 1).AddDatabase("app_dev");

        // It references app_dev and serves nothing, like a migration runner, but is not declared as one.
        AddSeed(builder, appDb, marks.Path);
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.WaitForResourceAsync("seed", ResourceState.Finished, ct);

        var (exitCode, output, error) = await InvokeAsync(app, ["reset", "app_dev", "--yes", "--recreate"], ct);

        Assert.True(exitCode == 0, error);
        // Progress lines go to standard error with the AppHost's log lines; the result alone is on standard output.
        Assert.Contains("Database 'app_dev' declares no migration runner, so it was left empty.", error, StringComparison.Ordinal);
        Assert.Contains("WithMigrations: postgres.AddDatabase(\"app_dev\").WithMigrations(<runner>)", error, StringComparison.Ordinal);
        Assert.Contains("Recreated 'app_dev' (no migration runner declared; it is empty).", output, StringComparison.Ordinal);
        Assert.Equal(1, SeedRuns(marks.Path));
    }

    private static IResourceBuilder<ProjectResource> AddMigrationRunner(IDistributedApplicationBuilder builder, string name, IResourceBuilder<PostgresDatabaseResource> database) =>
        builder.AddProject<Projects.MigrationRunner>(name)
            .WithReference(database)
            .WithEnvironment("Migrations__Path", Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.MigrationRunner().ProjectPath)!, "..", "db", "migrations")))
            .WaitFor(database);

    /// <summary>A run-to-completion program given app_dev's credentials that appends a line to <c>seed.runs</c> each time it runs.</summary>
    private static IResourceBuilder<ExecutableResource> AddSeed(IDistributedApplicationBuilder builder, IResourceBuilder<PostgresDatabaseResource> database, string folder) =>
        builder.AddExecutable("seed", "sh", folder, "-c", "echo ran >> seed.runs")
            .WithReference(database)
            .WaitFor(database);

    private static int SeedRuns(string folder) => File.ReadAllLines(Path.Combine(folder, "seed.runs")).Length;

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(DistributedApplication app, string[] args, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(string.Empty);
        var exitCode = await CommandLine.InvokeAsync(app, args, new CliConsole(output, error, input, true), ct);
        return (exitCode, output.ToString(), error.ToString());
    }
}
