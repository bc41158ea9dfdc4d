using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace StackModel.ServiceDefaults;

/// <summary>
/// The PostgreSQL client integration: an <see cref="NpgsqlDataSource"/> bound from
/// <c>ConnectionStrings:&lt;name&gt;</c>, with a health check, tracing and metrics.
/// </summary>
public static class NpgsqlHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="NpgsqlDataSource"/> (also as <see cref="System.Data.Common.DbDataSource"/>)
    /// for the connection string <c>ConnectionStrings:<paramref name="connectionName"/></c>, a health check
    /// named <paramref name="connectionName"/>, Npgsql tracing and Npgsql metrics.
    /// </summary>
    /// <param name="builder">The host application builder of the service.</param>
    /// <param name="connectionName">
    /// The name of the connection string, which is also the database resource's name in the AppHost
    /// (for example <c>app_dev</c>).
    /// </param>
    /// <param name="configure">An optional callback that changes the settings after they are bound.</param>
    /// <param name="configureDataSourceBuilder">
    /// An optional callback that configures the <see cref="NpgsqlDataSourceBuilder"/> before the data source is built
    /// (type mappings, type loading, plugins), as Aspire's integration offers.
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// The connection string is missing or cannot be parsed. The message names the configuration key.
    /// </exception>
    /// <remarks>
    /// The connection string is checked when this method runs, so that a service without one fails at
    /// startup with the key to set, not at its first query. The health check is tagged <c>ready</c>, not
    /// <c>live</c>: a database outage makes <c>/health</c> unhealthy but leaves <c>/alive</c> healthy.
    /// </remarks>
    public static void AddNpgsqlDataSource(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlSettings>? configure = null,
        Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        var settings = new NpgsqlSettings
        {
            ConnectionString = builder.Configuration.GetConnectionString(connectionName),
        };
        configure?.Invoke(settings);

        var connectionString = ValidateConnectionString(settings.ConnectionString, connectionName);

        builder.Services.AddSingleton(serviceProvider =>
        {
            var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString)
            {
                Name = connectionName,
            };
            dataSourceBuilder.UseLoggerFactory(serviceProvider.GetService<ILoggerFactory>());
            configureDataSourceBuilder?.Invoke(dataSourceBuilder);
            return dataSourceBuilder.Build();
        });
        builder.Services.AddSingleton<System.Data.Common.DbDataSource>(
            serviceProvider => serviceProvider.GetRequiredService<NpgsqlDataSource>());

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().AddNpgSql(
                serviceProvider => serviceProvider.GetRequiredService<NpgsqlDataSource>(),
                name: connectionName,
                tags: [DefaultHealthEndpoints.ReadyTag],
                timeout: settings.HealthCheckTimeout);
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());
        }

        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
        }
    }

    internal static string ConfigurationKey(string connectionName) => $"ConnectionStrings:{connectionName}";

    private static string ValidateConnectionString(string? connectionString, string connectionName)
    {
        var key = ConfigurationKey(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL connection string '{key}' is missing. " +
                $"Set it in configuration (environment variable 'ConnectionStrings__{connectionName}'); " +
                $"in a StackModel stack the AppHost provides it when the project is given the database " +
                $"'{connectionName}' with WithReference(...).");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            // The connection string may hold a password: name the key and the reason, never the value.
            throw new InvalidOperationException(
                $"The PostgreSQL connection string '{key}' cannot be parsed: {exception.Message} " +
                $"Give it in Npgsql's 'Host=...;Port=...;Database=...;Username=...;Password=...' form.",
                exception);
        }

        return connectionString;
    }
}
