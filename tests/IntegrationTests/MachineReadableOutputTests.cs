using System.Diagnostics;
using System.Text.Json;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// What a tool reads from the real AppHost process: standard output carries exactly the document, every log line goes to standard
/// error (a `... env --format json | jq .` or `source &lt;(... env)` must work), and env starts and asks nothing.
/// </summary>
public class MachineReadableOutputTests
{
    [Fact]
    public async Task Env_as_json_writes_exactly_the_document_on_stdout_and_asks_no_container_engine()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var engineCalls = Path.Combine(state.Path, "engine-calls");
        var engine = FakeEngine(state.Path, engineCalls);

        // auto everywhere, as a developer's checkout is: before, choosing the runtimes asked the engine and logged on stdout.
        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(
            ["env", "--format", "json", $"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=auto", "--LiteLLM:Runtime=auto", $"--Stack:ContainerRuntime={engine}"], ct);

        Assert.True(exitCode == 0, $"exit {exitCode}{Environment.NewLine}stdout:{stdout}{Environment.NewLine}stderr:{stderr}");
        using var document = JsonDocument.Parse(stdout); // the whole of stdout: any log line before or after fails here
        var root = document.RootElement;
        Assert.StartsWith("postgresql://app_dev_user:", root.GetProperty("DATABASE_URL").GetString(), StringComparison.Ordinal);
        Assert.Equal("app_dev", root.GetProperty("DB_NAME").GetString());
        Assert.Equal("litellm_dev", root.GetProperty("LITELLM_DB_NAME").GetString());
        Assert.StartsWith("http://127.0.0.1:", root.GetProperty("LITELLM_URL").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("info:", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(engineCalls), $"env asked the container engine: {(File.Exists(engineCalls) ? await File.ReadAllTextAsync(engineCalls, ct) : string.Empty)}");
        Assert.False(Directory.Exists(Path.Combine(state.Path, "postgres")), "env created a cluster");
    }

    [Fact]
    public async Task Env_as_dotenv_is_sourced_by_bash_with_the_same_values_as_the_json_document()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        string[] common = [$"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=process", "--LiteLLM:Runtime=auto"];
        var json = await AppHostCommand.RunAsync(["env", "--format", "json", .. common], ct);
        var dotenv = await AppHostCommand.RunAsync(["env", "--format", "dotenv", .. common], ct);
        Assert.True(json.ExitCode == 0 && dotenv.ExitCode == 0, json.Stderr + dotenv.Stderr);

        var bash = new ProcessStartInfo("bash", ["-c", "set -a; source /dev/stdin; printf '%s\\n' \"$DATABASE_URL\" \"$DB_PASSWORD\" \"$LITELLM_DB_USER\" \"$LITELLM_URL\""])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var sourced = await AppHostCommand.RunAsync(bash, dotenv.Stdout, ct);

        Assert.True(sourced.ExitCode == 0 && sourced.Stderr.Length == 0, $"bash could not source env's stdout: {sourced.Stderr}{Environment.NewLine}{dotenv.Stdout}");
        using var document = JsonDocument.Parse(json.Stdout);
        var root = document.RootElement;
        string[] expected = [.. new[] { "DATABASE_URL", "DB_PASSWORD", "LITELLM_DB_USER", "LITELLM_URL" }.Select(n => root.GetProperty(n).GetString()!)];
        Assert.Equal(expected, sourced.Stdout.TrimEnd('\n').Split('\n'));
        Assert.All(expected, Assert.NotEmpty);
    }

    [Fact]
    public async Task Env_with_an_output_file_prints_nothing_on_stdout_and_says_what_it_wrote_on_stderr()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var file = Path.Combine(state.Path, "stack.env");

        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(["env", "--output", file, $"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=process"], ct);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"to {file} (mode 0600)", stderr, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL=", await File.ReadAllTextAsync(file, ct), StringComparison.Ordinal);
    }

    [RequiresPostgresFact]
    public async Task Reset_on_a_stopped_stack_writes_only_its_result_on_stdout_and_its_log_lines_on_stderr()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var port = FreePorts.Next();
        await using (var host = AppHostProcess.Start(state.Path, port))
        {
            await host.WaitForOutputAsync("Press Ctrl+C", ct);
            host.Signal(NativeMethods.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(
            ["reset", "app_dev", "--yes", $"--Stack:StateDirectory={state.Path}", $"--Stack:Ports:postgres:tcp={port}", "--Stack:Runtime=process", "--LiteLLM:Runtime=off",
             "--Stack:WriteEnvFile=false", "--Dashboard:Enabled=false", $"--Stack:Name={AppHostProcess.StackNameFor(state.Path)}"], ct);

        Assert.True(exitCode == 0, $"exit {exitCode}{Environment.NewLine}stdout:{stdout}{Environment.NewLine}stderr:{stderr}");
        Assert.Matches(@"^Reset 'app_dev': emptied \d+ tables[^\n]*\n$", stdout);
        Assert.Contains("The stack is not running: started its server 'postgres'", stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d info: .*PostgreSQL runs as a process: Stack:Runtime=process", stderr); // the AppHost's own log line
        Assert.Empty(PostgresProcesses.On(state.Path));
    }

    /// <summary>A container engine CLI that records every call (and answers them all): a call means something asked it.</summary>
    private static string FakeEngine(string folder, string calls) => ShellScript.Write(folder, "docker", $"echo \"$@\" >> '{calls}'\nexit 0\n");
}
