using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using StackModel.Dashboard.Tests.Infrastructure;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace StackModel.Dashboard.Tests;

public class DashboardBrowserTests(ITestOutputHelper output)
{

    [RequiresBrowserFact]
    public async Task A_user_signs_in_watches_the_stack_settle_reveals_a_secret_reads_postgres_logs_and_restarts_litellm()
    {
        Assert.True(Machine.ChromiumMissingReason is null, Machine.ChromiumMissingReason);
        var ct = Machine.TimeoutToken();
        await using var app = await DashboardStack.StartAsync(ct);
        var dashboard = app.Dashboard ?? throw new InvalidOperationException("The test stack has no dashboard although --Dashboard:Enabled=true was given.");
        var loginUrl = dashboard.LoginUrl ?? throw new InvalidOperationException("The dashboard is off: " + dashboard.OffReason);
        var baseUrl = dashboard.BaseUrl!;
        output.WriteLine(dashboard.StatusLine);

        // Without the token, or with a wrong one, nothing is served.
        using (var anonymous = new HttpClient { BaseAddress = baseUrl })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/resources", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/login?t=" + new string('x', 32), ct)).StatusCode);
        }

        await using var browser = await DashboardBrowser.LaunchAsync(viewportHeight: 1100);
        var page = browser.Page;
        var pageErrors = browser.PageErrors;

        // Sign in with the console's URL; the cookie carries on.
        await page.GotoAsync(loginUrl.ToString());
        await Expect(page).ToHaveURLAsync(new Uri(baseUrl, "/").ToString());
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "stackmodel_dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        // Every resource reaches its final state. The migration runner's is whatever the orchestrator says (Finished once the
        // AppHost gives it its migrations folder); the page must show that same state, and offer to run it again.
        var migrations = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct);
        output.WriteLine($"migrations: {migrations.State} {migrations.Reason}");
        foreach (var (name, state) in new[] { ("postgres", "Healthy"), ("app_dev", "Healthy"), ("litellm_dev", "Healthy"), (DashboardStack.LiteLLM, "Healthy"), ("migrations", migrations.State.ToString()) })
        {
            await Expect(Row(page, name).Locator(".state")).ToHaveTextAsync(state);
        }

        await Expect(Row(page, "migrations").Locator("[data-action=start]")).ToBeEnabledAsync();
        if (migrations.State == ResourceState.Finished)
        {
            await Expect(Row(page, "migrations").Locator("[data-action=start]")).ToHaveTextAsync("Run again");
        }
        else
        {
            await Expect(Row(page, "migrations").Locator(".detail")).ToContainTextAsync($"exit code {migrations.ExitCode}");
        }

        await Expect(Row(page, DashboardStack.LiteLLM).Locator(".urls a")).ToHaveAttributeAsync("href", new Uri(app.GetEndpointUrl(DashboardStack.LiteLLM)).ToString().TrimEnd('/'));
        await Expect(page.Locator("svg.graph .node[data-resource=migrations]")).ToHaveAttributeAsync("data-state", migrations.State.ToString());
        await Expect(page.Locator("svg.graph .edge[data-from=migrations][data-to=litellm]")).ToHaveCountAsync(1);

        // The master key is masked: absent from the page and from every list response until it is revealed.
        var masterKey = ((ParameterResource)app.Model["litellm-master-key"]).Value;
        await Row(page, DashboardStack.LiteLLM).Locator("[data-view=environment]").ClickAsync();
        var variable = page.Locator("#environment-table tr[data-variable=LITELLM_MASTER_KEY]");
        await Expect(variable.Locator(".value")).ToHaveTextAsync("••••••••");
        Assert.DoesNotContain(masterKey, await page.ContentAsync(), StringComparison.Ordinal);
        using (var scripted = new HttpClient { BaseAddress = baseUrl })
        {
            scripted.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", dashboard.Token.Value);
            foreach (var path in new[] { "/", "/api/resources", "/api/resources/litellm/environment", "/api/graph.svg" })
            {
                Assert.DoesNotContain(masterKey, await scripted.GetStringAsync(path, ct), StringComparison.Ordinal);
            }
        }

        await variable.Locator("button.reveal").ClickAsync();
        await Expect(variable.Locator(".value")).ToHaveTextAsync(masterKey);
        await Expect(page.Locator("#environment-table tr[data-variable=LITELLM_SALT_KEY] .value")).ToHaveTextAsync("••••••••");

        // PostgreSQL's console log, live.
        await Row(page, "postgres").Locator("[data-view=logs]").ClickAsync();
        await Expect(page.Locator("#log-lines")).ToContainTextAsync("database system is ready to accept connections");

        // Restart LiteLLM: it goes down, comes back, and the page shows it healthy again.
        var before = app.ResourceNotifications.TryGetSnapshot(DashboardStack.LiteLLM)!.StartedAt;
        await Row(page, DashboardStack.LiteLLM).Locator("[data-action=restart]").ClickAsync();
        // The notice shows for 8 s after the action's answer; a restart on a loaded machine can take longer than that.
        await Expect(page.Locator("#notice")).ToContainTextAsync("restart litellm");
        await app.ResourceNotifications.WaitForResourceAsync(DashboardStack.LiteLLM, s => s.State == ResourceState.Healthy && s.StartedAt > before, ct);
        await Expect(Row(page, DashboardStack.LiteLLM).Locator(".state")).ToHaveTextAsync("Healthy");

        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var screenshot = Path.Combine(screenshots, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine("Screenshot: " + screenshot);

        // A flood: the page keeps at most 2000 lines in the DOM and still shows the newest.
        for (var i = 1; i <= 6000; i++)
        {
            app.ResourceLogs.Write(DashboardStack.LiteLLM, $"flood line {i}");
        }

        await Row(page, DashboardStack.LiteLLM).Locator("[data-view=logs]").ClickAsync();
        await Expect(page.Locator("#log-lines div").Last).ToContainTextAsync("flood line 6000");
        Assert.InRange(await page.Locator("#log-lines div").CountAsync(), 1, 2000);
        Assert.True(pageErrors.Count == 0, "The page reported errors:\n" + string.Join("\n", pageErrors));
    }

    private static ILocator Row(IPage page, string resource) => page.Locator($"#resources tr[data-resource=\"{resource}\"]");
}
