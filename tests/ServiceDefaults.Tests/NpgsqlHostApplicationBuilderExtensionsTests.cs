using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using StackModel.ServiceDefaults.Tests.Infrastructure;

namespace StackModel.ServiceDefaults.Tests;

[Collection(PostgresCollection.Name)]
public sealed class NpgsqlHostApplicationBuilderExtensionsTests(PostgresServerFixture postgres)
{
    private static HostApplicationBuilder CreateBuilder(string connectionName, string? connectionString)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{connectionName}"] = connectionString,
        });
        return builder;
    }

    [Fact]
    public void AddNpgsqlDataSource_BindsTheConnectionStringNamedAfterTheConnection()
    {
        var builder = CreateBuilder("app_dev", "Host=db.internal;Port=5433;Database=app_dev;Username=app_owner;Password=secret");

        builder.AddNpgsqlDataSource("app_dev");

        using var host = builder.Build();
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal("db.internal", settings.Host);
        Assert.Equal(5433, settings.Port);
        Assert.Equal("app_dev", settings.Database);
        Assert.Equal("app_owner", settings.Username);
        Assert.Same(dataSource, host.Services.GetRequiredService<NpgsqlDataSource>());
        Assert.Same(dataSource, host.Services.GetRequiredService<DbDataSource>());
    }

    [Fact]
    public void AddNpgsqlDataSource_ConfigureCallbackSeesTheBoundValueAndMayReplaceIt()
    {
        var builder = CreateBuilder("app_dev", "Host=bound;Database=app_dev");
        string? seen = null;

        builder.AddNpgsqlDataSource("app_dev", settings =>
        {
            seen = settings.ConnectionString;
            settings.ConnectionString = "Host=replaced;Database=app_dev";
        });

        using var host = builder.Build();
        Assert.Equal("Host=bound;Database=app_dev", seen);
        Assert.Equal("replaced", new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).Host);
    }

    [Fact]
    public void AddNpgsqlDataSource_ConfigureDataSourceBuilderRunsBeforeTheDataSourceIsBuilt()
    {
        var builder = CreateBuilder("app_dev", "Host=bound;Database=app_dev");

        builder.AddNpgsqlDataSource("app_dev", configureDataSourceBuilder: dataSource => dataSource.ConnectionStringBuilder.ApplicationName = "migrations");

        using var host = builder.Build();
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        Assert.Equal("migrations", new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).ApplicationName);
        Assert.Equal("bound", new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Host);
    }

    [Fact]
    public void AddNpgsqlDataSource_WithoutConnectionString_FailsNamingTheKeyAndTheFix()
    {
        var builder = CreateBuilder("other", "Host=x");

        var exception = Assert.Throws<InvalidOperationException>(() => builder.AddNpgsqlDataSource("app_dev"));

        Assert.Contains("'ConnectionStrings:app_dev'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__app_dev", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WithReference", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNpgsqlDataSource_WithUnparsableConnectionString_FailsWithoutPrintingIt()
    {
        var builder = CreateBuilder("app_dev", "Host=x;Password=hunter2;NoSuchKeyword=1");

        var exception = Assert.Throws<InvalidOperationException>(() => builder.AddNpgsqlDataSource("app_dev"));

        Assert.Contains("'ConnectionStrings:app_dev'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNpgsqlDataSource_RegistersAHealthCheckNamedAfterTheConnection_NotTaggedLive()
    {
        var builder = CreateBuilder("app_dev", "Host=x;Database=app_dev");

        builder.AddNpgsqlDataSource("app_dev");

        using var host = builder.Build();
        var registrations = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var check = Assert.Single(registrations, r => r.Name == "app_dev");
        Assert.Contains(DefaultHealthEndpoints.ReadyTag, check.Tags);
        Assert.DoesNotContain(DefaultHealthEndpoints.LiveTag, check.Tags);
    }

    [Fact]
    public void AddNpgsqlDataSource_DisableHealthChecks_RegistersNone()
    {
        var builder = CreateBuilder("app_dev", "Host=x;Database=app_dev");

        builder.AddNpgsqlDataSource("app_dev", settings => settings.DisableHealthChecks = true);

        using var host = builder.Build();
        Assert.Empty(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
    }

    [PostgresFact]
    public async Task HealthCheck_IsHealthyAgainstARunningServer_AndUnhealthyAgainstAClosedPort()
    {
        var healthy = await CheckAsync(postgres.ConnectionString());

        var closed = new NpgsqlConnectionStringBuilder(postgres.ConnectionString()) { Port = PostgresServerFixture.GetFreePort(), Timeout = 3 };
        var unhealthy = await CheckAsync(closed.ConnectionString);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.NotNull(unhealthy.Exception);
    }

    private static async Task<HealthReportEntry> CheckAsync(string connectionString)
    {
        var builder = CreateBuilder("app_dev", connectionString);
        builder.AddServiceDefaults();
        builder.AddNpgsqlDataSource("app_dev", settings => settings.HealthCheckTimeout = TimeSpan.FromSeconds(10));
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == "app_dev")
            .WaitAsync(TimeSpan.FromSeconds(30));
        return report.Entries["app_dev"];
    }
}
