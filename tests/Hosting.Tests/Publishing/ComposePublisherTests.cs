using Microsoft.Extensions.Configuration;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Publishing;

namespace StackModel.Hosting.Tests.Publishing;

/// <summary>What <c>publish compose</c> refuses or leaves out, from models built here; the files it writes go to a temporary folder.</summary>
public sealed class ComposePublisherTests
{
    [Fact]
    public async Task A_host_executable_is_refused_with_the_reason_and_nothing_is_written()
    {
        var builder = TestBuilder.Create();
        builder.AddPostgres("postgres", port: 25432).AddDatabase("app_dev");
        builder.AddExecutable("worker", "/usr/bin/worker", "/tmp");
        using var folder = new TempDirectory();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder, folder.Path));

        Assert.Contains("'worker' is a host executable (/usr/bin/worker); compose runs containers only", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_wait_for_a_container_without_a_health_check_is_refused_rather_than_weakened_to_service_started()
    {
        var builder = TestBuilder.Create();
        var cache = builder.AddContainer("cache", "docker.io/library/redis", "7");
        builder.AddContainer("api", "example/api", "1").WaitFor(cache);
        using var folder = new TempDirectory();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => PublishAsync(builder, folder.Path));

        Assert.Contains("'api' waits for 'cache' to be healthy, but 'cache' declares no health check", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task A_project_without_an_image_is_left_out_with_how_to_give_it_one_and_its_dependents_waits_say_so()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 25432).AddDatabase("app_dev");
        var api = builder.AddProject<SomeProject>("api").WithReference(db).WaitFor(db);
        builder.AddContainer("proxy", "example/proxy", "1").WaitForCompletion(api);
        using var folder = new TempDirectory();

        var result = await PublishAsync(builder, folder.Path);

        Assert.Equal(["postgres", "db-init", "proxy"], result.Services);
        Assert.Contains(result.Notes, n => n.StartsWith("Left out 'api': project Some.csproj has no image", StringComparison.Ordinal) && n.Contains("WithPublishImage", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("'proxy' waits for 'api', which is left out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_project_with_an_image_waits_for_its_database_through_db_init_and_gets_a_completion_condition_when_waited_for()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 25432).AddDatabase("app_dev");
        var seed = builder.AddProject<SomeProject>("seed").WithReference(db).WaitFor(db).WithPublishImage("example/seed:1");
        builder.AddContainer("proxy", "example/proxy", "1").WaitForCompletion(seed);
        using var folder = new TempDirectory();

        await PublishAsync(builder, folder.Path);

        var yaml = await File.ReadAllTextAsync(Path.Combine(folder.Path, "docker-compose.yaml"));
        var seedService = yaml[yaml.IndexOf("\n  seed:", StringComparison.Ordinal)..yaml.IndexOf("\n  proxy:", StringComparison.Ordinal)];
        Assert.Contains("db-init:\n        condition: service_completed_successfully", seedService, StringComparison.Ordinal);
        Assert.Contains("postgres:\n        condition: service_healthy", seedService, StringComparison.Ordinal);
        Assert.Contains("restart: \"no\"", seedService, StringComparison.Ordinal);
        Assert.Contains("seed:\n        condition: service_completed_successfully", yaml[yaml.IndexOf("\n  proxy:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.DoesNotContain("service_started", yaml, StringComparison.Ordinal);
    }

    private static Task<ComposePublishResult> PublishAsync(IDistributedApplicationBuilder builder, string output)
    {
        var resources = builder.Resources.ToList();
        var configuration = new ConfigurationBuilder().Build();
        return new ComposePublisher(new DistributedApplicationModel(resources), configuration, new StackOptions()).PublishAsync(output);
    }

    private sealed class SomeProject : IProjectMetadata
    {
        public string ProjectPath => "/src/Some/Some.csproj";

        public string AssemblyPath => "/src/Some/bin/Some.dll";
    }
}
