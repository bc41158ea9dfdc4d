using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

// The dashboard: http://127.0.0.1:18888, login URL with a fresh token printed on the console.
builder.AddDashboard(port: 18888);

// One PostgreSQL server; the host reaches it on 127.0.0.1:55432, peers on the stack network on postgres:5432.
var postgres = builder.AddPostgres("postgres", port: 55432);

// Two databases, each owned by a role of its own that cannot open the other.
var appDb = postgres.AddDatabase("app_dev");
var litellmDb = postgres.AddDatabase("litellm_dev");

// The application's migrations: app_dev only, once the database is ready.
builder.AddProject<Projects.MigrationRunner>("migrations")
    .WithReference(appDb)
    .WaitFor(appDb);

builder.Build().Run();

/// <summary>The AppHost's entry point; the testing builder runs it.</summary>
public partial class Program;
