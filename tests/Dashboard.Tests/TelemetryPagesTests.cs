using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using StackModel.Dashboard.Tests.Infrastructure;

namespace StackModel.Dashboard.Tests;

/// <summary>
/// The telemetry pages as files, without a browser: served behind the token like every page, linked to each other and to the
/// resources page, and self-contained (nothing from another origin, so the dashboard works offline).
/// </summary>
public sealed partial class TelemetryPagesTests
{
    private static readonly string[] Pages = ["/", "/structuredlogs", "/traces", "/metrics"];

    [Fact]
    public async Task The_telemetry_pages_and_their_script_need_the_token_link_every_page_and_load_nothing_from_elsewhere()
    {
        var ct = Machine.TimeoutToken();
        await using var stack = await SleeperStack.StartAsync(ct);
        using var anonymous = new HttpClient { BaseAddress = stack.BaseUrl };
        using var client = new HttpClient { BaseAddress = stack.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.Dashboard.Token.Value);

        foreach (var path in new[] { "/structuredlogs", "/traces", "/metrics", "/assets/telemetry.js" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path, ct)).StatusCode);
        }

        foreach (var path in Pages)
        {
            using var response = await client.GetAsync(path, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync(ct);

            // One navigation on every page, the current one marked.
            var links = NavigationLink().Matches(html).Select(m => (Href: m.Groups["href"].Value, Current: m.Groups["current"].Success)).ToList();
            Assert.Equal(Pages, links.Select(l => l.Href));
            Assert.Equal(path, Assert.Single(links, l => l.Current).Href);

            // Scripts and styles are the dashboard's own.
            Assert.DoesNotMatch(ForeignReference(), html);
            foreach (var asset in AssetReference().Matches(html).Select(m => m.Groups["asset"].Value))
            {
                using var assetResponse = await client.GetAsync(asset, ct);
                Assert.True(assetResponse.StatusCode == HttpStatusCode.OK, $"{path} refers to {asset}, which answers {(int)assetResponse.StatusCode}.");
            }
        }

        var script = await client.GetStringAsync("/assets/telemetry.js", ct);
        Assert.DoesNotMatch(ForeignReference(), script.Replace("\"http://www.w3.org/2000/svg\"", string.Empty, StringComparison.Ordinal));
        foreach (var endpoint in new[] { "/api/telemetry/summary", "/api/telemetry/logs", "/api/telemetry/traces", "/api/telemetry/metrics", "/api/telemetry/metric", "/api/telemetry/stream" })
        {
            Assert.Contains(endpoint, script, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("<a href=\"(?<href>/[a-z]*)\"(?<current> aria-current=\"page\")?>")]
    private static partial Regex NavigationLink();

    [GeneratedRegex("(src|href)=\"(?<asset>/assets/[^\"]+)\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("(?i)(src|href)=\"(https?:)?//|https?://")]
    private static partial Regex ForeignReference();
}
