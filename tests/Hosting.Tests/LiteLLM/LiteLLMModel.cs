using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Tests.LiteLLM;

/// <summary>The AppHost's shape (server, two databases, LiteLLM on its own, the runner on app_dev), declared on a builder of the test's.</summary>
internal sealed class LiteLLMModel
{
    private LiteLLMModel(IDistributedApplicationBuilder builder)
    {
        Builder = builder;
        Postgres = builder.AddPostgres("postgres", port: 15432);
        AppDb = Postgres.AddDatabase("app_dev");
        LiteLLMDb = Postgres.AddDatabase("litellm_dev");
        LiteLLM = builder.AddLiteLLM("litellm", port: 14000).WithDatabase(LiteLLMDb).WaitFor(LiteLLMDb);
        Runner = builder.AddExecutable("migrations", "runner", ".")
            .WithReference(AppDb)
            .WithEnvironment("Migrations__WaitForHealthUrl", LiteLLM.Resource.HealthCheckUrl)
            .WaitFor(AppDb)
            .WaitFor(LiteLLM);
        AppDb.WithMigrations(Runner, "Drizzle migrations");
    }

    public IDistributedApplicationBuilder Builder { get; }

    public IResourceBuilder<PostgresServerResource> Postgres { get; }

    public IResourceBuilder<PostgresDatabaseResource> AppDb { get; }

    public IResourceBuilder<PostgresDatabaseResource> LiteLLMDb { get; }

    public IResourceBuilder<LiteLLMResource> LiteLLM { get; }

    public IResourceBuilder<ExecutableResource> Runner { get; }

    /// <summary>Declares the stack on a builder whose state folder is <paramref name="stateDirectory"/> (never the developer's).</summary>
    public static LiteLLMModel Create(string stateDirectory, params string[] args) =>
        new(new DistributedApplicationBuilder([$"--Stack:StateDirectory={stateDirectory}", .. args], appHostAssembly: null));
}
