using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Export;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Publishing;

var builder = DistributedApplication.CreateBuilder(args);

// The dashboard: http://127.0.0.1:18888, login URL with a fresh token printed on the console; its OTLP/HTTP receiver on
// 127.0.0.1:18890 takes every resource's logs, traces and metrics (OTEL_EXPORTER_OTLP_* are injected with its key).
builder.AddDashboard(port: 18888, otlpPort: 18890);

// One PostgreSQL server; the host reaches it on 127.0.0.1:55432, peers on the stack network on postgres:5432.
var postgres = builder.AddPostgres("postgres", port: 55432);

// Two databases, each owned by a role of its own that cannot open the other.
// Host tools get them from `dotnet run --project AppHost -- env` and .env.stack (DATABASE_URL, DB_*, LITELLM_DB_*).
var appDb = postgres.AddDatabase("app_dev").WithEnvExport("DB", urlVariable: "DATABASE_URL");
var litellmDb = postgres.AddDatabase("litellm_dev").WithEnvExport("LITELLM_DB");

// The LiteLLM proxy on 4000, wired to its own database only (LiteLLM:Runtime = auto | container | executable | off).
var litellm = builder.AddLiteLLM("litellm", port: 4000)
    .WithDatabase(litellmDb)
    .WaitFor(litellmDb)
    .WithEnvExport("LITELLM");

// The application's migrations: app_dev only, once LiteLLM is healthy; the runner is app_dev's one migration system.
// Its process starts with the stack and is held at its start gate until then, so its own start-up is not on the critical path.
var migrations = builder.AddProject<Projects.MigrationRunner>("migrations")
    .WithStartGate()
    .WithReference(appDb)
    .WithEnvironment("Migrations__Path", Path.GetFullPath("../db/migrations", builder.AppHostDirectory))
    .WithEnvironment("Migrations__WaitForHealthUrl", litellm.Resource.HealthCheckUrl)
    .WaitFor(appDb)
    .WaitFor(litellm)
    .WithPublishImage("localhost/stackmodel/migration-runner:dev", dockerfile: "../eng/containers/migration-runner/Dockerfile"); // publish compose
appDb.WithMigrations(migrations, "Drizzle migrations");

builder.Build().Run();

/// <summary>The AppHost's entry point; the testing builder runs it.</summary>
public partial class Program;
