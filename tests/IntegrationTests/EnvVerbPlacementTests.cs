using StackModel.Hosting;
using StackModel.Hosting.Cli;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>The env verb reads where a resource runs from the same decision the runners and the dashboard read.</summary>
public class EnvVerbPlacementTests
{
    [Fact]
    public async Task Env_for_the_container_context_says_when_an_exported_resource_runs_on_the_host()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--LiteLLM:Runtime=executable", "--LiteLLM:Command=sh"], ct);
        await using var app = await builder.BuildAsync(ct);

        var container = await InvokeAsync(app, ["env", "--context", "container"], ct);
        var host = await InvokeAsync(app, ["env", "--context", "host"], ct);

        Assert.Equal(0, container.ExitCode);
        Assert.Contains("Note: 'litellm' runs as a host process (LiteLLM:Runtime=executable), not on the stack network, so LITELLM_URL does not reach it from a container.", container.Error, StringComparison.Ordinal);
        Assert.Contains("LITELLM_URL=http://litellm:", container.Output, StringComparison.Ordinal);
        Assert.Equal(0, host.ExitCode);
        Assert.DoesNotContain("Note:", host.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_for_the_container_context_is_silent_when_the_exported_resource_runs_as_a_container()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(["--LiteLLM:Runtime=container"], ct);
        await using var app = await builder.BuildAsync(ct);

        var container = await InvokeAsync(app, ["env", "--context", "container"], ct);

        Assert.Equal(0, container.ExitCode);
        Assert.DoesNotContain("Note:", container.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_never_asks_a_container_engine_even_one_that_hangs()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var engineCalls = Path.Combine(state.Path, "engine-calls");
        var engine = ShellScript.Write(state.Path, "hanging-engine", $"echo \"$@\" >> '{engineCalls}'\nexec sleep 600\n");

        // auto everywhere on a new state folder: PostgreSQL's and LiteLLM's placement would each ask the engine if anything did.
        var (exitCode, stdout, stderr) = await AppHostCommand.RunAsync(
            ["env", "--context", "container", $"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=auto", "--LiteLLM:Runtime=auto", $"--Stack:ContainerRuntime={engine}"], ct);

        Assert.False(File.Exists(engineCalls), $"env asked the container engine: {(File.Exists(engineCalls) ? await File.ReadAllTextAsync(engineCalls, ct) : string.Empty)}");
        Assert.True(exitCode == 0, $"exit {exitCode}{Environment.NewLine}stdout:{stdout}{Environment.NewLine}stderr:{stderr}");
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("DATABASE_URL=postgresql://", StringComparison.Ordinal) && l.EndsWith("@postgres:5432/app_dev", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("LITELLM_URL=http://litellm:", StringComparison.Ordinal));
        Assert.DoesNotContain("Note:", stderr, StringComparison.Ordinal); // undecided placements are not reported as host processes
    }

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(DistributedApplication app, string[] args, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(string.Empty);
        var exitCode = await CommandLine.InvokeAsync(app, args, new CliConsole(output, error, input, false), ct);
        return (exitCode, output.ToString(), error.ToString());
    }
}
