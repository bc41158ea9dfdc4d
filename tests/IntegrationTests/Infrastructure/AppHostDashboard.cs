using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The dashboard of a real AppHost process (<c>--Dashboard:Enabled=true --Dashboard:Port=0</c>), signed in with the token it printed.</summary>
internal sealed partial class AppHostDashboard : IDisposable
{
    private AppHostDashboard(Uri baseUrl, string token)
    {
        BaseUrl = baseUrl;
        Token = token;
        Client = CreateClient(TimeSpan.FromSeconds(30));
    }

    public Uri BaseUrl { get; }

    public string Token { get; }

    /// <summary>A signed-in client that sends the dashboard's action header.</summary>
    public HttpClient Client { get; }

    public static async Task<AppHostDashboard> ConnectAsync(AppHostProcess host, CancellationToken cancellationToken)
    {
        await host.WaitForOutputAsync("/login?t=", cancellationToken);
        var match = LoginUrl().Match(host.Output);
        Assert.True(match.Success, "No dashboard login URL in the AppHost's output:" + Environment.NewLine + host.Output);
        return new AppHostDashboard(new Uri(match.Groups["base"].Value), match.Groups["token"].Value);
    }

    /// <summary>Another signed-in client (a stream needs <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public HttpClient CreateClient(TimeSpan timeout)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        client.DefaultRequestHeaders.Add("X-StackModel-Dashboard", "1");
        return client;
    }

    /// <summary>The row of <paramref name="name"/> in <c>GET /api/resources</c>.</summary>
    public async Task<JsonElement> ResourceAsync(string name, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync("/api/resources", cancellationToken));
        return document.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).Clone();
    }

    /// <summary>Polls <c>GET /api/resources</c> until the row of <paramref name="name"/> is in <paramref name="state"/>.</summary>
    public async Task<JsonElement> WaitForStateAsync(string name, string state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var row = await ResourceAsync(name, cancellationToken);
            if (row.GetProperty("state").GetString() == state)
            {
                return row;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex(@"(?<base>http://127\.0\.0\.1:\d+)/login\?t=(?<token>[A-Za-z0-9_\-]+)")]
    private static partial Regex LoginUrl();
}
