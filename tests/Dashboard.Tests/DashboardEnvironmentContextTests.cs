using System.Globalization;
using System.Text.Json;
using StackModel.Dashboard.Tests.Infrastructure;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests;

/// <summary>The dashboard shows a resource's environment for where it really runs, as decided before start, not for its declared type.</summary>
public class DashboardEnvironmentContextTests
{
    [Fact]
    public async Task LiteLLM_as_an_executable_shows_the_host_address_it_really_gets()
    {
        var ct = Machine.TimeoutToken();
        await using var app = await StartAsync("executable", ct);
        using var client = SignedInClient(app);

        var (context, databaseUrl) = await EnvironmentAsync(client, ct);

        Assert.Equal("Host", context);
        Assert.EndsWith($"@127.0.0.1:{PostgresHostPort(app)}/litellm_dev", databaseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteLLM_as_a_container_shows_the_stack_network_address()
    {
        var ct = Machine.TimeoutToken();

        // Decided to run as a container; with PostgreSQL as a process its start is refused, and nothing is created on an engine.
        await using var app = await StartAsync("container", ct);
        using var client = SignedInClient(app);

        var (context, databaseUrl) = await EnvironmentAsync(client, ct);

        Assert.Equal("ContainerNetwork", context);
        Assert.EndsWith("@postgres:5432/litellm_dev", databaseUrl, StringComparison.Ordinal);
    }

    private static async Task<DistributedApplication> StartAsync(string liteLLMRuntime, CancellationToken ct)
    {
        await using var builder = DistributedApplicationTestingBuilder.Create(
            "--Dashboard:Enabled=true", $"--LiteLLM:Runtime={liteLLMRuntime}", "--LiteLLM:Command=sleep");
        builder.AddDashboard(port: 0);
        var database = builder.AddPostgres("postgres", port: 1).AddDatabase("litellm_dev");
        builder.AddLiteLLM("litellm", port: 1).WithDatabase(database).WaitFor(database);
        var app = await builder.BuildAsync(ct);
        try
        {
            await app.StartAsync(ct);
            await app.WaitForResourceAsync("litellm_dev", ResourceState.Healthy, ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private static async Task<(string Context, string DatabaseUrl)> EnvironmentAsync(HttpClient client, CancellationToken ct)
    {
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/resources/litellm/environment", ct));
        using var reveal = await client.PostAsync("/api/resources/litellm/environment/DATABASE_URL/reveal", null, ct);
        reveal.EnsureSuccessStatusCode();
        using var revealed = JsonDocument.Parse(await reveal.Content.ReadAsStringAsync(ct));
        return (list.RootElement.GetProperty("context").GetString()!, revealed.RootElement.GetProperty("value").GetString()!);
    }

    private static HttpClient SignedInClient(DistributedApplication app)
    {
        var dashboard = app.Dashboard ?? throw new InvalidOperationException("The test stack has no dashboard.");
        var client = new HttpClient { BaseAddress = dashboard.BaseUrl ?? throw new InvalidOperationException("The dashboard is off: " + dashboard.OffReason), Timeout = Machine.Timeout };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", dashboard.Token.Value);
        client.DefaultRequestHeaders.Add("X-StackModel-Dashboard", "1");
        return client;
    }

    private static string PostgresHostPort(DistributedApplication app) =>
        ((PostgresServerResource)app.Model["postgres"]).Endpoint.Annotation.HostPort.ToString(CultureInfo.InvariantCulture);
}
