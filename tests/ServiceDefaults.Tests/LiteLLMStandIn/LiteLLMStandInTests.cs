using System.Diagnostics;
using System.Net;
using System.Text.Json;
using StackModel.ServiceDefaults.Tests.Infrastructure;

namespace StackModel.ServiceDefaults.Tests.LiteLLMStandIn;

/// <summary>The stand-in run as a real process, as the stack's tests will run it in place of LiteLLM.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LiteLLMStandInTests(PostgresServerFixture postgres) : IDisposable
{
    private static readonly string[] ExpectedTables =
    [
        "LiteLLM_VerificationToken", "LiteLLM_UserTable", "LiteLLM_TeamTable", "LiteLLM_SpendLogs",
        "LiteLLM_Config", "LiteLLM_ProxyModelTable", "LiteLLM_CronJob",
    ];

    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _client.Dispose();

    [PostgresFact]
    public async Task Boot_BringsTheDatabaseToLiteLLMsSchema_DropsForeignPublicTables_AndAnswersHealth()
    {
        var database = await CreateDatabaseWithAppTableAsync();
        var configFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(configFile, "model_list: []\n");
            await using var standIn = StandInProcess.Start(
                new Dictionary<string, string?> { ["DATABASE_URL"] = postgres.DatabaseUrl(database) },
                "--config", configFile);

            using var liveliness = await standIn.WaitForStatusAsync(_client, "health/liveliness", HttpStatusCode.OK);
            Assert.Equal("\"I'm alive!\"", await liveliness.Content.ReadAsStringAsync());
            Assert.Equal("connected", await ReadinessDbAsync(standIn));

            foreach (var table in ExpectedTables)
            {
                Assert.True(await TableExistsAsync(database, "public", table), $"{table} missing:\n{standIn.Output}");
            }

            Assert.Equal(1L, await postgres.ScalarAsync<long>(database, "SELECT count(*) FROM pg_type WHERE typname = 'JobStatus'"));
            Assert.Equal(3L, await postgres.ScalarAsync<long>(database,
                """SELECT count(*) FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND length(checksum) = 64 AND applied_steps_count = 1"""));
            Assert.False(await TableExistsAsync(database, "public", "app_users"), "the unrelated public table survived");
            Assert.True(await TableExistsAsync(database, "drizzle", "__drizzle_migrations"), "db push only drops in public");
            Assert.Contains("dropping table \"public\".\"app_users\" (3 rows)", standIn.Output, StringComparison.Ordinal);
            Assert.Contains(configFile, standIn.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(configFile);
        }
    }

    [PostgresFact]
    public async Task Restart_IsIdempotent_AndStillDropsTablesAddedSince()
    {
        var database = await postgres.CreateDatabaseAsync("litellm");
        var url = postgres.DatabaseUrl(database);
        await using (var first = StandInProcess.Start(new Dictionary<string, string?> { ["DATABASE_URL"] = url }))
        {
            (await first.WaitForStatusAsync(_client, "health/liveliness", HttpStatusCode.OK)).Dispose();
        }

        await postgres.ExecuteAsync(database, "CREATE TABLE public.orders (id int); INSERT INTO public.orders VALUES (1)");
        await using var second = StandInProcess.Start(new Dictionary<string, string?> { ["DATABASE_URL"] = url }, "--port", PostgresServerFixture.GetFreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await second.WaitForStatusAsync(_client, "health/liveliness", HttpStatusCode.OK)).Dispose();

        Assert.Equal("connected", await ReadinessDbAsync(second));
        Assert.Contains("0 migration(s) applied", second.Output, StringComparison.Ordinal);
        Assert.Equal(3L, await postgres.ScalarAsync<long>(database, """SELECT count(*) FROM "_prisma_migrations" """));
        Assert.True(await TableExistsAsync(database, "public", "LiteLLM_VerificationToken"));
        Assert.False(await TableExistsAsync(database, "public", "orders"));
    }

    [Theory]
    [InlineData("DATABASE_URL")]
    [InlineData("LITELLM_MASTER_KEY")]
    [InlineData("LITELLM_SALT_KEY")]
    public async Task MissingRequiredVariable_ExitsNonZero_NamingIt(string variable)
    {
        var environment = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = "postgresql://u:p@127.0.0.1:1/litellm",
            [variable] = null,
        };
        await using var standIn = StandInProcess.Start(environment);

        var exitCode = await standIn.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"{variable} is not set", standIn.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigFile_ExitsNonZero_NamingIt()
    {
        await using var standIn = StandInProcess.Start(
            new Dictionary<string, string?> { ["DATABASE_URL"] = "postgresql://u:p@127.0.0.1:1/litellm" },
            "--config", "/nonexistent/config.yaml");

        Assert.NotEqual(0, await standIn.WaitForExitAsync());
        Assert.Contains("Config file not found: '/nonexistent/config.yaml'", standIn.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCodeSwitch_ExitsWithThatCode_PrintingAnError()
    {
        await using var standIn = StandInProcess.Start(new Dictionary<string, string?> { ["LITELLM_STANDIN_EXIT_CODE"] = "3" });

        Assert.Equal(3, await standIn.WaitForExitAsync());
        Assert.Contains("ERROR", standIn.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableDatabase_StillServes_ReadinessSaysNotConnected()
    {
        await using var standIn = StandInProcess.Start(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = $"postgresql://u:p@127.0.0.1:{PostgresServerFixture.GetFreePort()}/litellm",
            ["LITELLM_STANDIN_DB_RETRY_SECONDS"] = "0",
        });

        (await standIn.WaitForStatusAsync(_client, "health/liveliness", HttpStatusCode.OK)).Dispose();

        Assert.Equal("Not connected", await ReadinessDbAsync(standIn));
    }

    [Fact]
    public async Task NeverHealthySwitch_AnswersServiceUnavailable()
    {
        await using var standIn = StandInProcess.Start(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = $"postgresql://u:p@127.0.0.1:{PostgresServerFixture.GetFreePort()}/litellm",
            ["LITELLM_STANDIN_DB_RETRY_SECONDS"] = "0",
            ["LITELLM_STANDIN_NEVER_HEALTHY"] = "true",
        });

        (await standIn.WaitForStatusAsync(_client, "", HttpStatusCode.OK)).Dispose();
        using var liveliness = await _client.GetAsync(new Uri(standIn.BaseAddress, "health/liveliness"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, liveliness.StatusCode);
    }

    [Fact]
    public async Task StartupDelaySwitch_DelaysHealth()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var standIn = StandInProcess.Start(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = $"postgresql://u:p@127.0.0.1:{PostgresServerFixture.GetFreePort()}/litellm",
            ["LITELLM_STANDIN_DB_RETRY_SECONDS"] = "0",
            ["LITELLM_STANDIN_STARTUP_DELAY_MS"] = "1500",
        });

        (await standIn.WaitForStatusAsync(_client, "health/liveliness", HttpStatusCode.OK)).Dispose();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(1500), $"healthy after {stopwatch.Elapsed}");
        Assert.Contains("LITELLM_STANDIN_STARTUP_DELAY_MS", standIn.Output, StringComparison.Ordinal);
    }

    private async Task<string> CreateDatabaseWithAppTableAsync()
    {
        var database = await postgres.CreateDatabaseAsync("litellm");
        await postgres.ExecuteAsync(database, """
            CREATE TABLE public.app_users (id serial PRIMARY KEY, email text NOT NULL);
            INSERT INTO public.app_users (email) VALUES ('a@example.test'), ('b@example.test'), ('c@example.test');
            CREATE SCHEMA drizzle;
            CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
            """);
        return database;
    }

    private async Task<bool> TableExistsAsync(string database, string schema, string table) =>
        await postgres.ScalarAsync<bool>(database,
            $"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = '{schema}' AND tablename = '{table}')");

    private async Task<string?> ReadinessDbAsync(StandInProcess standIn)
    {
        using var response = await _client.GetAsync(new Uri(standIn.BaseAddress, "health/readiness"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        return json.RootElement.GetProperty("db").GetString();
    }
}
