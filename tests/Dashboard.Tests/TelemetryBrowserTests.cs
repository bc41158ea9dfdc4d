using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using StackModel.Dashboard.Tests.Infrastructure;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Tests.Utilities;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace StackModel.Dashboard.Tests;

/// <summary>
/// The telemetry pages in headless Chromium, on the real AppHost definition: the real migration runner sends its spans, logs
/// and metrics over OTLP to the AppHost's real receiver, and the pages show them. The runner migrates a copy of
/// <c>db/migrations</c>; a broken migration is then added to the copy and the runner run again from the resources page, so
/// that <c>migrations</c> logs an error.
/// </summary>
public sealed class TelemetryBrowserTests(ITestOutputHelper output)
{
    private const string BrokenTag = "0099_broken";


    [RequiresBrowserFact]
    public async Task The_migration_runners_run_shows_as_a_trace_with_its_migration_spans_its_error_log_filters_out_and_its_metrics_draw_a_chart()
    {
        Assert.True(Machine.ChromiumMissingReason is null, Machine.ChromiumMissingReason);
        var ct = Machine.TimeoutToken();
        using var migrationsCopy = new TempDirectory("stackmodel-telemetry-migrations-");
        CopyFolder(Path.Combine(RepositoryRoot(), "db", "migrations"), migrationsCopy.Path);
        var firstTag = ReadJournal(migrationsCopy.Path)["entries"]!.AsArray()[0]!["tag"]!.GetValue<string>();

        await using var app = await DashboardStack.StartAsync(ct, builder =>
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "migrations"))
                .WithEnvironment("Migrations__Path", migrationsCopy.Path));
        var dashboard = app.Dashboard ?? throw new InvalidOperationException("The test stack has no dashboard although --Dashboard:Enabled=true was given.");
        var loginUrl = dashboard.LoginUrl ?? throw new InvalidOperationException("The dashboard is off: " + dashboard.OffReason);
        output.WriteLine(dashboard.StatusLine);
        var first = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct);
        Assert.True(first.State == ResourceState.Finished, $"The runner's first run ended {first.State} (exit code {first.ExitCode}): {first.Reason}");

        await using var browser = await DashboardBrowser.LaunchAsync(viewportHeight: 1000);
        var page = browser.Page;
        var pageErrors = browser.PageErrors;
        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        await page.GotoAsync(loginUrl.ToString());

        // Traces: from the resources page's navigation; the runner's run is one trace whose root is the run span.
        await page.GetByRole(AriaRole.Link, new() { Name = "Traces", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(dashboard.BaseUrl!, "/traces").ToString());
        var run = page.Locator("#traces tbody tr[data-root='migrate app_dev'][data-root-resource='migrations']");
        await Expect(run).ToHaveCountAsync(1);
        await Expect(run.Locator("td.resources")).ToContainTextAsync("migrations");
        await Expect(run.Locator(".errors-none")).ToHaveTextAsync("0");
        await run.ClickAsync();

        // Its waterfall: the run, one span per migration beneath it, and beside them Npgsql's spans of the run's queries,
        // among them the one batch that carried the drizzle-kit-shaped migrations' statements.
        var waterfall = page.Locator("#waterfall");
        await Expect(waterfall.Locator(".wf-row[aria-level='1'][data-name='migrate app_dev']")).ToHaveCountAsync(1);
        var migrationSpan = waterfall.Locator($".wf-row[aria-level='2'][data-name='apply {firstTag}']");
        await Expect(migrationSpan).ToHaveCountAsync(1);
        await Expect(migrationSpan.Locator(".resource-tag")).ToHaveTextAsync("migrations");
        var sqlFile = Path.Combine(migrationsCopy.Path, firstTag + ".sql");
        var firstStatement = (await File.ReadAllTextAsync(sqlFile, ct)).Split("--> statement-breakpoint")[0].Trim().Split('\n')[0].Trim();
        var querySpans = waterfall.Locator(".wf-row[aria-level='2'][data-resource='migrations']:not([data-name^='apply ']):not([data-name^='wait '])");
        var batchFound = false;
        for (var i = 0; i < await querySpans.CountAsync() && !batchFound; i++)
        {
            await querySpans.Nth(i).ClickAsync();
            batchFound = (await page.Locator("#span-attributes").InnerTextAsync()).Contains(firstStatement, StringComparison.Ordinal);
        }

        Assert.True(batchFound, $"No Npgsql span beneath the run carries the first statement of {firstTag}: {firstStatement}");

        // A migration span's attributes: its tag, file, hash and statement count, as the runner read them.
        await migrationSpan.ClickAsync();
        var statements = (await File.ReadAllTextAsync(sqlFile, ct)).Split("--> statement-breakpoint").Length;
        var attributes = page.Locator("#span-attributes");
        await Expect(attributes.Locator("tr[data-attribute='migration.tag'] td").Nth(1)).ToHaveTextAsync(firstTag);
        await Expect(attributes.Locator("tr[data-attribute='migration.file'] td").Nth(1)).ToHaveTextAsync(sqlFile);
        await Expect(attributes.Locator("tr[data-attribute='migration.hash'] td").Nth(1)).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(sqlFile, ct))));
        await Expect(attributes.Locator("tr[data-attribute='migration.statements'] td").Nth(1)).ToHaveTextAsync(statements.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#span-facts")).ToContainTextAsync("Unset");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "traces.png"), FullPage = true });

        // A broken migration, and the runner run again from the resources page: it fails with exit code 6.
        AddBrokenMigration(migrationsCopy.Path);
        await page.GetByRole(AriaRole.Link, new() { Name = "Resources", Exact = true }).ClickAsync();
        var startedBefore = app.ResourceNotifications.TryGetSnapshot("migrations")!.StartedAt;
        await page.Locator("#resources tr[data-resource=migrations] [data-action=start]").ClickAsync();
        var second = await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal && s.StartedAt > startedBefore, ct);
        Assert.True(second.State == ResourceState.Exited && second.ExitCode == 6, $"The second run ended {second.State} with exit code {second.ExitCode}: {second.Reason}");

        // Structured logs: filtered to migrations' errors with the page's own controls, live (the page was opened before
        // nothing more arrives; the error is already there or streams in).
        await page.GetByRole(AriaRole.Link, new() { Name = "Structured logs", Exact = true }).ClickAsync();
        await page.Locator("#filter-resource option[value=migrations]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.Locator("#filter-resource").SelectOptionAsync("migrations");
        await page.Locator("#filter-level").SelectOptionAsync("Error");
        var rows = page.Locator("#structured-logs tbody tr:not(.log-detail)");
        var stopped = rows.Filter(new() { HasText = "Migration stopped with exit code 6" });
        await Expect(stopped).ToHaveCountAsync(1);
        await Expect(stopped.Locator("td.message")).ToContainTextAsync(BrokenTag);
        await Expect(stopped.Locator(".template")).ToContainTextAsync("Migration stopped with exit code {ExitCode} ({ExitCodeName}): {Reason}");

        // The error row may already show before the level filter's answer has replaced the rows: wait until that is done.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("minLevel=Error"));
        await Expect(page.Locator("#structured-logs tbody tr:not(.log-detail):not([data-level=Error]):not([data-level=Critical])")).ToHaveCountAsync(0);
        foreach (var row in await rows.AllAsync())
        {
            Assert.Equal("migrations", await row.GetAttributeAsync("data-resource"));
            Assert.Contains(await row.GetAttributeAsync("data-level"), new[] { "Error", "Critical" });
        }

        Assert.Contains("resource=migrations", page.Url, StringComparison.Ordinal);
        Assert.Contains("minLevel=Error", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "structured-logs.png"), FullPage = true });

        // Its trace link opens the failed run: the broken migration's span is red, with the error as its status and an exception event.
        await stopped.Locator("a.trace-link").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/traces\\?trace=[0-9a-f]{32}"));
        var broken = page.Locator($"#waterfall .wf-row.error[data-name='apply {BrokenTag}']");
        await Expect(broken).ToHaveCountAsync(1);
        await broken.ClickAsync();
        await Expect(page.Locator("#span-facts dd.error")).ToContainTextAsync("42P01");
        await Expect(page.Locator("#span-events .event.exception")).ToContainTextAsync("exception.message");

        // Metrics: migrations' instruments, and a chart of one: the runner's counter of applied migrations as a line, its
        // histogram of migration durations as bars.
        await page.GetByRole(AriaRole.Link, new() { Name = "Metrics", Exact = true }).ClickAsync();
        await page.Locator("#filter-resource option[value=migrations]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.Locator("#filter-resource").SelectOptionAsync("migrations");
        var counter = page.Locator("#instruments tr[data-meter='StackModel.MigrationRunner'][data-name='migrations.applied']");
        await Expect(counter).ToHaveAttributeAsync("data-type", "counter");
        await counter.ClickAsync();
        await Expect(page.Locator("#chart svg.chart-svg path.series")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-legend")).ToContainTextAsync("2 {migration}"); // db/migrations holds two

        var histogram = page.Locator("#instruments tr[data-meter='StackModel.MigrationRunner'][data-name='migrations.duration']");
        await Expect(histogram).ToHaveAttributeAsync("data-type", "histogram");
        await histogram.ClickAsync();
        await Expect(page.Locator("#chart-title")).ToHaveTextAsync("migrations.duration");
        var bars = page.Locator("#chart svg.chart-svg rect.bar");
        await Expect(bars.First).ToBeVisibleAsync();
        Assert.True(await bars.CountAsync() >= 1);
        await Expect(page.Locator("#chart-legend")).ToContainTextAsync("count 2 "); // the first run's two; a failed migration records no duration
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "metrics.png"), FullPage = true });
        output.WriteLine("Screenshots: " + screenshots);

        Assert.True(pageErrors.Count == 0, "The pages reported errors:\n" + string.Join('\n', pageErrors));
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "StackModel.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No StackModel.sln above {AppContext.BaseDirectory}: run the tests from the repository's build output.");
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    private static JsonObject ReadJournal(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "meta", "_journal.json")))!.AsObject();

    /// <summary>Adds a migration whose statement refers to a table no migration creates (PostgreSQL answers 42P01).</summary>
    private static void AddBrokenMigration(string folder)
    {
        var journal = ReadJournal(folder);
        var entries = journal["entries"]!.AsArray();
        var last = entries[^1]!;
        entries.Add(new JsonObject
        {
            ["idx"] = entries.Count,
            ["version"] = "7",
            ["when"] = last["when"]!.GetValue<long>() + 1000,
            ["tag"] = BrokenTag,
            ["breakpoints"] = true,
        });
        File.WriteAllText(Path.Combine(folder, "meta", "_journal.json"), journal.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, BrokenTag + ".sql"), "ALTER TABLE \"no_such_table\" ADD COLUMN \"x\" integer;");
    }
}
