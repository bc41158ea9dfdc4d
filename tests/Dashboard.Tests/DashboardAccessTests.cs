using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using StackModel.Dashboard.Tests.Infrastructure;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests;

public class DashboardAccessTests
{
    [Fact]
    public async Task Every_request_without_the_token_is_refused_with_401()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var anonymous = new HttpClient { BaseAddress = stack.BaseUrl };

        foreach (var path in new[] { "/", "/assets/dashboard.js", "/api/resources", "/api/resources/stream", "/api/graph.svg", "/api/resources/sleeper/environment", "/api/resources/sleeper/logs" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path, ct)).StatusCode);
        }

        using var stop = new HttpRequestMessage(HttpMethod.Post, "/api/resources/sleeper/stop") { Headers = { { "X-StackModel-Dashboard", "1" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(stop, ct)).StatusCode);
        Assert.Equal(ResourceState.Running, stack.App.ResourceNotifications.TryGetSnapshot(SleeperStack.Sleeper)!.State);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_in_the_login_url_the_cookie_and_the_bearer_header()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        var wrong = stack.Dashboard.Token.Value[..^1] + (stack.Dashboard.Token.Value[^1] == 'a' ? 'b' : 'a');
        using var client = new HttpClient { BaseAddress = stack.BaseUrl };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/login?t=" + wrong, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/login", ct)).StatusCode);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/resources") { Headers = { { "Cookie", "stackmodel_dashboard=" + wrong } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(withCookie, ct)).StatusCode);
        using var withBearer = new HttpRequestMessage(HttpMethod.Get, "/api/resources") { Headers = { { "Authorization", "Bearer " + wrong } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(withBearer, ct)).StatusCode);
    }

    [Fact]
    public async Task The_login_url_sets_an_http_only_same_site_strict_cookie_that_opens_the_page()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        Assert.True(stack.Dashboard.Token.Value.Length >= 22, $"The token has {stack.Dashboard.Token.Value.Length} characters; expected at least 22.");
        Assert.Equal($"{stack.BaseUrl.ToString().TrimEnd('/')}/login?t={stack.Dashboard.Token.Value}", stack.Dashboard.LoginUrl!.ToString());
        Assert.Equal("127.0.0.1", stack.BaseUrl.Host);
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = stack.BaseUrl };

        using var login = await client.GetAsync(stack.Dashboard.LoginUrl, ct);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        using var page = await client.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("StackModel dashboard", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_without_the_dashboard_header_is_refused_and_changes_nothing()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var client = new HttpClient { BaseAddress = stack.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", stack.Dashboard.Token.Value);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/resources/sleeper/stop", null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/resources/sleeper/environment/API_KEY/reveal", null, ct)).StatusCode);
        Assert.Equal(ResourceState.Running, stack.App.ResourceNotifications.TryGetSnapshot(SleeperStack.Sleeper)!.State);
    }

    [Fact]
    public async Task Environment_values_stay_out_of_every_list_until_one_is_revealed_on_its_own()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var client = stack.SignedInClient();
        var secret = stack.Secret.Value;

        var list = await client.GetStringAsync("/api/resources/sleeper/environment", ct);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain("hello", list, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"API_KEY\",\"isSecret\":true", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await client.GetStringAsync("/api/resources", ct), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await client.GetStringAsync("/", ct), StringComparison.Ordinal);

        using var reveal = await client.PostAsync("/api/resources/sleeper/environment/API_KEY/reveal", null, ct);
        using var revealed = JsonDocument.Parse(await reveal.Content.ReadAsStringAsync(ct));
        Assert.Equal(secret, revealed.RootElement.GetProperty("value").GetString());
        using var missing = await client.PostAsync("/api/resources/sleeper/environment/NOPE/reveal", null, ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("API_KEY, GREETING", await missing.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_and_start_from_the_dashboard_stop_and_start_the_process()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var client = stack.SignedInClient();

        using var stop = await client.PostAsync("/api/resources/sleeper/stop", null, ct);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await stack.App.WaitForResourceAsync(SleeperStack.Sleeper, ResourceState.Stopped, ct);
        using var start = await client.PostAsync("/api/resources/sleeper/start", null, ct);
        Assert.True(start.IsSuccessStatusCode, await start.Content.ReadAsStringAsync(ct));
        await stack.App.WaitForResourceAsync(SleeperStack.Sleeper, ResourceState.Running, ct);

        using var again = await client.PostAsync("/api/resources/sleeper/start", null, ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already running; use restart", await again.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using var unknown = await client.PostAsync("/api/resources/nobody/restart", null, ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_taken_port_leaves_the_stack_running_and_the_dashboard_says_why_it_is_off()
    {
        var ct = Machine.TimeoutToken();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        await using var stack = await SleeperStack.StartAsync(ct, $"--Dashboard:Port={port}");

        Assert.Null(stack.Dashboard.LoginUrl);
        Assert.Contains($"127.0.0.1:{port} is not free", stack.Dashboard.OffReason, StringComparison.Ordinal);
        Assert.StartsWith("Dashboard is off: ", stack.Dashboard.StatusLine, StringComparison.Ordinal);
        Assert.Contains("--Dashboard:Port", stack.Dashboard.StatusLine, StringComparison.Ordinal);
        Assert.Equal(ResourceState.Running, stack.App.ResourceNotifications.TryGetSnapshot(SleeperStack.Sleeper)!.State);
    }
}
