using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>kill -9 of the stack's PostgreSQL server while the real AppHost runs: what the stack says, and how it comes back.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // signals, /proc and file modes
public class PostgresKillTests(ITestOutputHelper output)
{
    /// <summary>Rows written before the kill, each in a transaction of its own that committed.</summary>
    private const int Rows = 1000;

    [RequiresPostgresFact]
    public async Task Kill_9_of_PostgreSQL_shows_Exited_by_SIGKILL_on_the_dashboard_with_its_dependents_and_its_restart_action_brings_every_committed_row_back()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using var host = AppHostProcess.Start(state.Path, port, LiteLLMStandIn.Args($"--Stack:Ports:litellm:http={FreePorts.Next()}", "--Dashboard:Enabled=true", "--Dashboard:Port=0", "--Dashboard:OtlpPort=0"));
        await host.WaitForOutputAsync("Press Ctrl+C", ct);
        using var dashboard = await AppHostDashboard.ConnectAsync(host, ct);
        await WriteCommittedRowsAsync(state.Path, port, ct);

        KillPostmaster(state.Path);

        var postgres = await dashboard.WaitForStateAsync("postgres", "Exited", ct);
        Assert.Equal(137, postgres.GetProperty("exitCode").GetInt32());
        Assert.Contains("killed by SIGKILL", postgres.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(postgres.GetProperty("canRestart").GetBoolean());
        foreach (var database in new[] { "app_dev", "litellm_dev" })
        {
            var row = await dashboard.WaitForStateAsync(database, "Exited", ct);
            Assert.Contains("Its server 'postgres' was killed by SIGKILL", row.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        var litellm = await dashboard.ResourceAsync("litellm", ct); // runs on, but says that what it uses went away
        Assert.Equal("Healthy", litellm.GetProperty("state").GetString());
        Assert.StartsWith("'postgres', which it uses, was killed by SIGKILL", litellm.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var restarted = Stopwatch.StartNew();
        using var response = await dashboard.Client.PostAsync("/api/resources/postgres/restart", null, ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
        await dashboard.WaitForStateAsync("postgres", "Healthy", ct);
        var appDev = await dashboard.WaitForStateAsync("app_dev", "Healthy", ct);
        restarted.Stop();

        Assert.Equal(JsonValueKind.Null, appDev.GetProperty("reason").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await dashboard.ResourceAsync("litellm", ct)).GetProperty("reason").ValueKind);
        Assert.Equal(Rows, await CountRowsAsync(state.Path, port, ct));
        output.WriteLine($"Dashboard restart: {Rows} rows written, {Rows} found, back to Healthy in {restarted.Elapsed.TotalSeconds:F2} s.");
        host.Signal(NativeMethods.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    [RequiresPostgresFact]
    public async Task Kill_9_of_PostgreSQL_is_named_on_the_console_and_restart_from_the_command_line_brings_every_committed_row_back_without_a_dashboard()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using var host = AppHostProcess.Start(state.Path, port); // the dashboard is off: restart goes through the control socket
        await host.WaitForOutputAsync("Press Ctrl+C", ct);
        Assert.True(File.Exists(Path.Combine(state.Path, "control.sock")), "The running AppHost serves its control socket in the state folder.");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state.Path, "control.sock")));
        await WriteCommittedRowsAsync(state.Path, port, ct);

        KillPostmaster(state.Path);
        await host.WaitForOutputAsync("killed by SIGKILL", ct);
        await WaitForAsync(() => System.Text.RegularExpressions.Regex.IsMatch(host.Output, @"app_dev\s+Exited.*Its server 'postgres' was killed by SIGKILL"), ct);
        Assert.Matches(@"postgres\s+Exited\s.*killed by SIGKILL", host.Output);

        var unknown = await AppHostCommand.RunAsync(state.Path, ["restart", "no-such-resource"], ct);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no resource named 'no-such-resource'", unknown.Stderr, StringComparison.Ordinal);

        var restarted = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(state.Path, ["restart", "postgres"], ct);
        restarted.Stop();

        Assert.True(exitCode == 0, $"restart exited {exitCode}: {stderr}");
        Assert.Matches(@"^Restarted 'postgres' in \d+\.\d\d s; it is Healthy\.", stdout);
        Assert.Equal(Rows, await CountRowsAsync(state.Path, port, ct));
        output.WriteLine($"Command-line restart: {Rows} rows written, {Rows} found; the verb took {restarted.Elapsed.TotalSeconds:F2} s (process start included): {stdout.Trim()}");

        host.Signal(NativeMethods.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(ct));
        Assert.Empty(PostgresProcesses.On(state.Path));
        Assert.False(File.Exists(Path.Combine(state.Path, "control.sock")), "A stopped AppHost removes its control socket.");

        var stopped = await AppHostCommand.RunAsync(state.Path, ["restart", "postgres"], ct);
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("No AppHost is running on the state folder", stopped.Stderr, StringComparison.Ordinal);
        Assert.Empty(PostgresProcesses.On(state.Path)); // restart never starts a stack of its own
    }

    private static void KillPostmaster(string stateDirectory)
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(stateDirectory, "postgres", "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        Assert.Equal(0, NativeMethods.Kill(pid, NativeMethods.SigKill));
    }

    private static string ConnectionString(string stateDirectory, int port) =>
        StateFolderSuperUser.ConnectionString(stateDirectory, port, "app_dev");

    private static async Task WriteCommittedRowsAsync(string stateDirectory, int port, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(stateDirectory, port));
        await connection.OpenAsync(ct);
        // As the superuser acting as the migration system on purpose: the schema firewall refuses a superuser's DDL otherwise.
        await Sql.ExecuteAsync(connection, "SET stackmodel.migration_system = 'on'; CREATE TABLE public.kill_test (id int PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())", ct);
        for (var i = 1; i <= Rows; i++)
        {
            // One transaction per row: each INSERT has committed when it returns.
            await using var command = new NpgsqlCommand("INSERT INTO public.kill_test (id) VALUES ($1)", connection) { Parameters = { new() { Value = i } } };
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static Task<long> CountRowsAsync(string stateDirectory, int port, CancellationToken ct) =>
        Sql.ScalarAsync<long>(ConnectionString(stateDirectory, port), "SELECT count(*) FROM public.kill_test", ct);

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
