using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace StackModel.Dashboard.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (no browser download), with one page whose console errors, uncaught
/// exceptions and 4xx/5xx answers are collected in <see cref="PageErrors"/> for the test to assert on at its end.
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> PageErrors { get; } = [];

    public static async Task<DashboardBrowser> LaunchAsync(int viewportHeight)
    {
        var timeoutMs = (float)Machine.Timeout.TotalMilliseconds;
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Machine.ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                Timeout = timeoutMs,
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = viewportHeight } });
            page.SetDefaultTimeout(timeoutMs);
            SetDefaultExpectTimeout(timeoutMs);
            var session = new DashboardBrowser(playwright, browser, page);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    session.PageErrors.Add(message.Text + " @ " + message.Location);
                }
            };
            page.PageError += (_, error) => session.PageErrors.Add(error);
            page.Response += (_, response) =>
            {
                if (response.Status >= 400)
                {
                    session.PageErrors.Add($"{response.Request.Method} {response.Url} answered {response.Status}");
                }
            };
            return session;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
