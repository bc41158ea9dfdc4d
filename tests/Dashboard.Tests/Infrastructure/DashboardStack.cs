using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests.Infrastructure;

/// <summary>
/// The real AppHost definition as a test stack with the dashboard turned on and LiteLLM run as the stand-in executable. Should the
/// AppHost not declare LiteLLM, the stack gets a <c>litellm</c> executable running the stand-in against <c>litellm_dev</c>, and
/// the migration runner waits for it.
/// </summary>
internal static class DashboardStack
{
    public const string LiteLLM = "litellm";

    /// <param name="cancellationToken">Bounds the start.</param>
    /// <param name="configure">Changes the model before it is built (a test's own migrations folder, say).</param>
    public static async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken, Action<DistributedApplicationTestingBuilder>? configure = null)
    {
        // The AppHost's own LiteLLM runs the stand-in as an executable (the real proxy cannot be obtained here).
        string[] args = ["--Dashboard:Enabled=true", "--LiteLLM:Runtime=executable", "--LiteLLM:Command=dotnet", $"--LiteLLM:CommandArgs:0={Machine.LiteLLMStandInPath}"];
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args, cancellationToken);
        if (!builder.Resources.Any(r => r.Name == LiteLLM))
        {
            AddLiteLLMStandIn(builder);
        }

        configure?.Invoke(builder);

        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private static void AddLiteLLMStandIn(DistributedApplicationTestingBuilder builder)
    {
        var database = builder.CreateResourceBuilder((PostgresDatabaseResource)builder.Resources.Single(r => r.Name == "litellm_dev"));
        var masterKey = builder.AddParameter("litellm-master-key", new GeneratedParameterDefault { Prefix = "sk-" });
        var saltKey = builder.AddParameter("litellm-salt-key", new GeneratedParameterDefault());
        var standIn = Machine.LiteLLMStandInPath;
        var litellm = builder.AddExecutable(LiteLLM, "dotnet", Path.GetDirectoryName(standIn)!, standIn)
            .WithHttpEndpoint(port: 14000)
            .WithHttpHealthCheck("/health/liveliness")
            .WithEnvironment("DATABASE_URL", database.Resource.UriExpression)
            .WithEnvironment("LITELLM_MASTER_KEY", masterKey)
            .WithEnvironment("LITELLM_SALT_KEY", saltKey)
            .WaitFor(database);
        litellm.WithAnnotation(new ResourceReferenceAnnotation(database.Resource));
        litellm.WithEnvironment("PORT", litellm.GetEndpoint("http").Property(EndpointProperty.Port));

        var migrations = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "migrations");
        builder.CreateResourceBuilder(migrations).WaitFor(litellm);
    }
}
