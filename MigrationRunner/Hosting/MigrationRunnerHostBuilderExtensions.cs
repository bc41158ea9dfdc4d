using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace StackModel.MigrationRunner.Hosting;

/// <summary>Host wiring of the runner, besides ServiceDefaults' <c>AddServiceDefaults()</c> and <c>AddNpgsqlDataSource(name)</c>.</summary>
internal static class MigrationRunnerHostBuilderExtensions
{
    /// <summary>Console logging: one line per event, warnings and errors to standard error.</summary>
    public static IHostApplicationBuilder AddRunnerConsoleLogging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Npgsql logs every command at Information; the runner names what it applies itself.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
            options.UseUtcTimestamp = true;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Warning);
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
