using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// Which engine answers: Docker before Podman when both do (Aspire's order, what a user with a running Docker daemon expects),
/// Podman when Docker's daemon does not answer, and the configured one alone when Stack:ContainerRuntime is set. The CLIs are
/// scripts that print what the real ones print.
/// </summary>
public sealed class ContainerEngineDetectionTests : IDisposable
{
    /// <summary>What Debian bookworm's docker.io 20.10 client prints for <c>info --format '{{json .}}'</c> without a daemon, exit code 0.</summary>
    private const string Docker2010WithoutDaemon =
        """{"ServerErrors":["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"],"ClientInfo":{"Debug":false,"Context":"default","Plugins":[],"Warnings":null}}""";

    private const string DockerAnswering = """{"ID":"X","ServerVersion":"20.10.24+dfsg1","Driver":"overlay2"}""";
    private const string PodmanAnswering = """{"host":{"networkBackend":"netavark"},"version":{"Version":"4.3.1"}}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-engines-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Docker_20_10_whose_daemon_does_not_answer_is_not_taken_for_an_engine_although_its_info_exits_0()
    {
        var docker = Cli("docker", Docker2010WithoutDaemon, exitCode: 0);

        var detection = await Detect(configured: docker);

        Assert.Null(detection.Engine);
        Assert.Contains($"Stack:ContainerRuntime={docker}: 'docker info' exited 0 but its daemon does not answer (Cannot connect to the Docker daemon", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_is_chosen_when_both_engines_answer()
    {
        Cli("docker", DockerAnswering, exitCode: 0);
        Cli("podman", PodmanAnswering, exitCode: 0);

        var detection = await Detect();

        Assert.Equal("docker", detection.Engine?.Name);
        Assert.Equal(Path.Combine(_folder, "docker"), detection.Engine?.Command);
    }

    [Fact]
    public async Task Podman_is_chosen_when_dockers_client_exits_0_but_its_daemon_does_not_answer_and_the_reason_names_docker()
    {
        Cli("docker", Docker2010WithoutDaemon, exitCode: 0);
        Cli("podman", PodmanAnswering, exitCode: 0);

        var detection = await Detect();

        Assert.Equal("podman", detection.Engine?.Name);
        Assert.Contains("docker: 'docker info' exited 0 but its daemon does not answer", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Podman_is_chosen_when_dockers_client_fails()
    {
        Cli("docker", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", exitCode: 1);
        Cli("podman", PodmanAnswering, exitCode: 0);

        Assert.Equal("podman", (await Detect()).Engine?.Name);
    }

    [Fact]
    public async Task A_configured_engine_is_the_only_one_asked_even_when_docker_answers()
    {
        Cli("docker", DockerAnswering, exitCode: 0);
        Cli("podman", PodmanAnswering, exitCode: 0);

        var detection = await Detect(configured: "podman");

        Assert.Equal("podman", detection.Engine?.Name);
        Assert.DoesNotContain("docker", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_engine_whose_info_takes_longer_than_10_s_on_a_loaded_machine_still_answers()
    {
        // Podman's info took more than 10 s at load average 25-35 on two cores, and the stack then said no engine answers.
        var podman = Cli("podman", PodmanAnswering, exitCode: 0, delaySeconds: 11);

        var detection = await Detect(configured: podman);

        Assert.Equal("podman", detection.Engine?.Name);
    }

    [Theory]
    [InlineData(Docker2010WithoutDaemon, true)]
    [InlineData("""{"ServerErrors":[],"ServerVersion":"20.10.24"}""", false)]
    [InlineData(DockerAnswering, false)]
    [InlineData(PodmanAnswering, false)]
    [InlineData("not json", false)]
    [InlineData("[]", false)]
    public void Server_errors_are_read_from_docker_info_only_when_listed(string json, bool expected)
    {
        Assert.Equal(expected, ContainerEngineLocator.ServerErrors(json) is not null);
    }

    private Task<ContainerEngineDetection> Detect(string? configured = null) =>
        new ContainerEngineLocator(new StackOptions { ContainerRuntime = configured }, NullLogger<ContainerEngineLocator>.Instance, searchPath: _folder).DetectAsync();

    /// <summary>A CLI that prints <paramref name="info"/> for <c>info</c> after <paramref name="delaySeconds"/> and exits with <paramref name="exitCode"/>.</summary>
    private string Cli(string name, string info, int exitCode, int delaySeconds = 0)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, $"#!/bin/sh\nsleep {delaySeconds}\ncat <<'JSON'\n{info}\nJSON\nexit {exitCode}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
