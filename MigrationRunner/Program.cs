using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StackModel.MigrationRunner;
using StackModel.MigrationRunner.Configuration;
using StackModel.MigrationRunner.Hosting;
using StackModel.ServiceDefaults;

// Migrates the app database with its Drizzle migrations, then exits with a MigrationExitCode.
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
var connectionName = MigrationRunnerOptions.ReadConnectionName(builder.Configuration);

builder.AddServiceDefaults();
builder.AddRunnerConsoleLogging();
try
{
    // The runner reads and writes text, integers and timestamps only: the built-in types, so no type catalogue to load.
    builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource => dataSource.ConfigureTypeLoading(types => types.EnableTypeLoading(false)));
}
catch (InvalidOperationException ex)
{
    // A missing or malformed connection string: nothing was touched.
    await Console.Error.WriteLineAsync(ex.Message);
    return (int)MigrationExitCode.InvalidInput;
}

builder.AddMigrationWorker();
using var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
