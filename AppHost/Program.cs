using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

// One PostgreSQL server; the host reaches it on 127.0.0.1:55432, peers on the stack network on postgres:5432.
var postgres = builder.AddPostgres("postgres", port: 55432);

// Two databases, each owned by a role of its own that cannot open the other.
var appDb = postgres.AddDatabase("app_dev");
var litellmDb = postgres.AddDatabase("litellm_dev");

// The LiteLLM proxy on 4000, wired to its own database only (LiteLLM:Runtime = auto | container | executable | off).
var litellm = builder.AddLiteLLM("litellm", port: 4000)
    .WithDatabase(litellmDb)
    .WaitFor(litellmDb);

// The application's migrations: app_dev only, once LiteLLM is healthy; the runner is app_dev's one migration system.
var migrations = builder.AddProject<Projects.MigrationRunner>("migrations")
    .WithReference(appDb)
    .WithEnvironment("Migrations__Path", Path.GetFullPath("../db/migrations", builder.AppHostDirectory))
    .WithEnvironment("Migrations__WaitForHealthUrl", litellm.Resource.HealthCheckUrl)
    .WaitFor(appDb)
    .WaitFor(litellm);
appDb.WithMigrations(migrations, "Drizzle migrations");

builder.Build().Run();

/// <summary>The AppHost's entry point; the testing builder runs it.</summary>
public partial class Program;
