using Microsoft.Extensions.Configuration;
using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Tests;

/// <summary>The guard's protocol between processes: what the AppHost renders is exactly what <see cref="StackTargetGuard"/> reads.</summary>
public sealed class TargetGuardEnvironmentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-guard-env-").FullName;

    [Fact]
    public async Task A_reference_renders_exactly_the_guard_variables_the_guard_reads()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev");
        var runner = builder.AddExecutable("runner", "runner", ".").WithReference(db, connectionName: "main");
        TestBuilder.ResolveParameters(builder);
        var recordPath = Path.Combine(_folder, StackRecord.FileName);
        db.Resource.Server.RecordPath = recordPath;

        var environment = await EnvironmentRenderer.RenderEnvironmentAsync(runner.Resource, NetworkContext.Host);

        var guardVariables = environment.Keys.Where(k => k.StartsWith("Stack__", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Stack__Databases__main", "Stack__RecordPath"], guardVariables);
        Assert.Equal([StackGuardEnvironment.DatabaseVariable("main"), StackGuardEnvironment.RecordPathVariable], guardVariables);

        // Read back as the project reads its environment (variables, '__' as ':'), the guard is configured and finds the database
        // by the name it was given: the record holds 'app_dev', not the connection name 'main'.
        var configuration = AsProcessEnvironment(environment);
        Assert.True(StackTargetGuard.IsConfigured(configuration));
        Assert.Equal(recordPath, configuration["Stack:RecordPath"]);
        Assert.Equal("app_dev", configuration["Stack:Databases:main"]);
        File.WriteAllText(recordPath, """
            { "stackId": "s", "runtime": "process", "createdAt": "2026-01-01T00:00:00Z",
              "databases": [ { "resource": "app_dev", "databaseName": "app_dev", "ownerRole": "app_dev_owner" } ] }
            """);
        await using var unopened = new NpgsqlConnection("Host=127.0.0.1");

        // Past the record and the database lookup (a wrong name would throw StackGuardException), it fails only at the unopened connection.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StackTargetGuard.VerifyAsync(unopened, configuration, "main"));
        Assert.IsNotAssignableFrom<StackGuardException>(failure);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The environment as a child process's configuration sees it: real environment variables, read with a unique prefix.</summary>
    private static IConfiguration AsProcessEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        var prefix = $"SMTEST_{Guid.NewGuid():N}_";
        try
        {
            foreach (var (key, value) in environment)
            {
                Environment.SetEnvironmentVariable(prefix + key, value);
            }

            return new ConfigurationBuilder().AddInMemoryCollection(
                new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build().AsEnumerable()).Build();
        }
        finally
        {
            foreach (var key in environment.Keys)
            {
                Environment.SetEnvironmentVariable(prefix + key, null);
            }
        }
    }
}
