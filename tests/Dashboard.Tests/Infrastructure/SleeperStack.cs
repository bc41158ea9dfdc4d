using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests.Infrastructure;

/// <summary>A small test stack with the dashboard on: one long-running process (<c>sleep</c>) with a secret in its environment. No PostgreSQL.</summary>
internal sealed class SleeperStack : IAsyncDisposable
{
    public const string Sleeper = "sleeper";

    private SleeperStack(DistributedApplication app, ParameterResource secret)
    {
        App = app;
        Secret = secret;
    }

    public DistributedApplication App { get; }

    public ParameterResource Secret { get; }

    public DashboardServer Dashboard => App.Dashboard ?? throw new InvalidOperationException("The test stack has no dashboard.");

    public Uri BaseUrl => Dashboard.BaseUrl ?? throw new InvalidOperationException("The dashboard is off: " + Dashboard.OffReason);

    public static async Task<SleeperStack> StartAsync(CancellationToken cancellationToken, params string[] args)
    {
        await using var builder = DistributedApplicationTestingBuilder.Create(["--Dashboard:Enabled=true", .. args]);
        builder.AddDashboard(port: 0);
        var secret = builder.AddParameter("api-key", new GeneratedParameterDefault { Prefix = "key-" });
        builder.AddExecutable(Sleeper, "sleep", ".", "300")
            .WithEnvironment("API_KEY", secret)
            .WithEnvironment("GREETING", "hello");
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        await app.WaitForResourceAsync(Sleeper, ResourceState.Running, cancellationToken);
        return new SleeperStack(app, secret.Resource);
    }

    /// <summary>A client that is signed in with the bearer token and sends the dashboard's action header.</summary>
    public HttpClient SignedInClient()
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = Machine.Timeout };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Dashboard.Token.Value);
        client.DefaultRequestHeaders.Add("X-StackModel-Dashboard", "1");
        return client;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
