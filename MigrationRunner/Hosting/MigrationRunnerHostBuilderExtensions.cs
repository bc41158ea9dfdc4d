using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;

namespace StackModel.MigrationRunner.Hosting;

/// <summary>
/// Host wiring of the runner. <see cref="AddMinimalServiceDefaults"/> and <see cref="AddNpgsqlDataSourceFromConfiguration"/>
/// stand in for ServiceDefaults' <c>AddServiceDefaults()</c> and <c>AddNpgsqlDataSource(name)</c> until those land.
/// </summary>
internal static class MigrationRunnerHostBuilderExtensions
{
    /// <summary>Console logging: one line per event, warnings and errors to standard error.</summary>
    public static IHostApplicationBuilder AddMinimalServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Warning);
        return builder;
    }

    /// <summary>Registers an <see cref="NpgsqlDataSource"/> built from <c>ConnectionStrings:&lt;connectionName&gt;</c>.</summary>
    public static IHostApplicationBuilder AddNpgsqlDataSourceFromConfiguration(this IHostApplicationBuilder builder, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        builder.Services.AddSingleton(services =>
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(connectionName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new MigrationException(
                    MigrationExitCode.InvalidInput,
                    $"Connection string \"{connectionName}\" is not set (ConnectionStrings:{connectionName}, environment variable ConnectionStrings__{connectionName}). " +
                    "Nothing was changed. Fix: reference the database from the runner in the AppHost (WithReference), or set the variable; Migrations:ConnectionName picks another name.");
            }

            try
            {
                return NpgsqlDataSource.Create(connectionString);
            }
            catch (ArgumentException ex)
            {
                throw new MigrationException(
                    MigrationExitCode.InvalidInput,
                    $"Connection string \"{connectionName}\" is not a valid Npgsql connection string: {ex.Message} Fix: use Host=...;Port=...;Database=...;Username=...;Password=....",
                    ex);
            }
        });
        return builder;
    }

    /// <summary>Registers the worker that migrates once and stops the host.</summary>
    public static IHostApplicationBuilder AddMigrationWorker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<MigrationWorker>();
        return builder;
    }
}
