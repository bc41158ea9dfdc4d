using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Testing;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>Starts the real AppHost definition as a test stack.</summary>
internal static class TestStack
{
    public static async Task<DistributedApplication> StartAppHostAsync(CancellationToken cancellationToken, params string[] args)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args, cancellationToken);
        WithMigrationsFolder(builder);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Points the migration runner at db/migrations when the AppHost does not (yet) say where they are.</summary>
    public static void WithMigrationsFolder(DistributedApplicationTestingBuilder builder)
    {
        var runner = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "migrations");
        var declared = new EnvironmentCallbackContext();
        foreach (var annotation in runner.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(declared);
        }

        if (!declared.EnvironmentVariables.ContainsKey("Migrations__Path"))
        {
            builder.CreateResourceBuilder(runner).WithEnvironment("Migrations__Path", Path.GetFullPath("../db/migrations", builder.AppHostDirectory));
        }
    }

    public static CancellationToken Timeout() => new CancellationTokenSource(Infrastructure.Timeout).Token;
}
