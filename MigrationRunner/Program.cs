using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StackModel.MigrationRunner.Configuration;
using StackModel.MigrationRunner.Hosting;

// Migrates the app database with its Drizzle migrations, then exits with a MigrationExitCode.
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
var connectionName = MigrationRunnerOptions.ReadConnectionName(builder.Configuration);

// TODO(ServiceDefaults): when ServiceDefaults/ lands, replace these two lines with
//   builder.AddServiceDefaults();
//   builder.AddNpgsqlDataSource(connectionName);
builder.AddMinimalServiceDefaults();
builder.AddNpgsqlDataSourceFromConfiguration(connectionName);

builder.AddMigrationWorker();
using var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
