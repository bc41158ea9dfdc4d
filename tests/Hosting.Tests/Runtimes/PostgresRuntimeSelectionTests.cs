using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.State;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>Stack:Runtime: which runtime runs PostgreSQL, and that auto never swaps the runtime under an existing cluster.</summary>
public sealed class PostgresRuntimeSelectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-selection-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Auto_runs_a_new_cluster_as_a_container_when_an_engine_answers_info()
    {
        Assert.Equal("container", Select("auto", AnsweringEngine()).Name);
    }

    [Fact]
    public void Auto_runs_a_new_cluster_as_a_process_when_no_engine_answers()
    {
        Assert.Equal("process", Select("auto", Path.Combine(_folder, "no-such-engine")).Name);
    }

    [Fact]
    public void Auto_runs_a_new_cluster_as_a_container_when_the_absent_image_is_pulled()
    {
        var runtime = Select("auto", EngineWithoutImage(pullSucceeds: true));

        Assert.Equal("container", runtime.Name);
        Assert.Contains("pull docker.io/library/postgres:15", File.ReadAllText(Path.Combine(_folder, "calls")), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_runs_a_new_cluster_as_a_process_when_the_absent_image_cannot_be_pulled()
    {
        Assert.Equal("process", Select("auto", EngineWithoutImage(pullSucceeds: false)).Name);
    }

    [Fact]
    public void Auto_runs_a_new_cluster_as_a_process_without_trying_a_pull_when_the_pull_policy_is_never()
    {
        Assert.Equal("process", Select("auto", EngineWithoutImage(pullSucceeds: true), pullPolicy: "never").Name);
        Assert.DoesNotContain("pull", File.ReadAllText(Path.Combine(_folder, "calls")), StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_keeps_the_container_runtime_of_an_existing_cluster_without_looking_at_the_image()
    {
        Record("container");

        Assert.Equal("container", Select("auto", EngineWithoutImage(pullSucceeds: false)).Name);
        Assert.False(File.Exists(Path.Combine(_folder, "calls")), "an existing cluster keeps its runtime without asking the engine");
    }

    [Fact]
    public void Auto_keeps_the_process_runtime_of_an_existing_cluster_even_when_an_engine_answers()
    {
        Record("process");

        Assert.Equal("process", Select("auto", AnsweringEngine()).Name);
    }

    [Fact]
    public void Auto_keeps_the_container_runtime_of_an_existing_cluster_even_when_no_engine_answers()
    {
        Record("container");

        Assert.Equal("container", Select("auto", Path.Combine(_folder, "no-such-engine")).Name);
    }

    [Fact]
    public void Auto_keeps_a_process_cluster_whose_record_was_never_written()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "postgres", "data"));
        File.WriteAllText(Path.Combine(_folder, "postgres", "data", "PG_VERSION"), "15\n");

        Assert.Equal("process", Select("auto", AnsweringEngine()).Name);
    }

    [Theory]
    [InlineData("process")]
    [InlineData("container")]
    public void A_pinned_runtime_is_used_as_given(string runtime)
    {
        Assert.Equal(runtime, Select(runtime, AnsweringEngine()).Name);
    }

    [Fact]
    public void An_unknown_runtime_is_refused_with_the_expected_values()
    {
        var error = Assert.Throws<DistributedApplicationException>(() => Select("kubernetes", AnsweringEngine()));

        Assert.Contains("Stack:Runtime is 'kubernetes'; expected auto, container or process", error.Message, StringComparison.Ordinal);
    }

    private IPostgresRuntime Select(string runtime, string engine, string pullPolicy = "missing")
    {
        var options = new StackOptions { Runtime = runtime, ContainerRuntime = engine, Name = "selection-test", PullPolicy = pullPolicy };
        var locator = new ContainerEngineLocator(options, NullLogger<ContainerEngineLocator>.Instance);
        var selector = new PostgresRuntimeSelector(
            options,
            _folder,
            new PostgresProcessRuntime(options, NullLogger<PostgresProcessRuntime>.Instance),
            new PostgresContainerRuntime(new ContainerStack(options, locator, _folder, NullLogger<ContainerStack>.Instance), options, NullLogger<PostgresContainerRuntime>.Instance),
            locator,
            NullLogger<PostgresRuntimeSelector>.Instance);
        return selector.Select();
    }

    /// <summary>A CLI whose <c>info</c> exits 0: an engine that answers, as far as detection can tell.</summary>
    private string AnsweringEngine()
    {
        var path = Path.Combine(_folder, "podman");
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>A CLI whose <c>info</c> answers, whose <c>image inspect</c> finds nothing, and whose <c>pull</c> works or fails; it records its calls.</summary>
    private string EngineWithoutImage(bool pullSucceeds)
    {
        var path = Path.Combine(_folder, "docker");
        var pull = pullSucceeds
            ? "echo 'Status: Downloaded newer image'; exit 0"
            : "echo 'Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: no such host' >&2; exit 1";
        File.WriteAllText(path, $$"""
            #!/bin/sh
            echo "$@" >> '{{Path.Combine(_folder, "calls")}}'
            case "$1" in
              info) exit 0 ;;
              image) exit 1 ;;
              pull) {{pull}} ;;
            esac
            exit 0
            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private void Record(string runtime) =>
        new StackStateStore(_folder).WriteRecord(new StackRecord { StackId = "0123456789abcdef", Runtime = runtime, CreatedAt = DateTimeOffset.UtcNow });
}
