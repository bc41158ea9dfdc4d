using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting;
using StackModel.Hosting.Runtimes.Container;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Which real engine the container tests (and a user's stack) run on. CI runs them on Docker Engine (.ci/steps/22-docker.sh) by
/// the stack's own detection, and once more pinned to Podman (.ci/steps/23-podman-containers.sh): a CI whose Docker daemon
/// does not answer would quietly run everything on Podman, so this test fails then, with the reason.
/// </summary>
[Trait("Category", "Container")]
public class ContainerEngineChoiceTests
{
    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task The_tests_run_on_the_pinned_engine_or_on_docker_when_its_daemon_answers_as_on_CI()
    {
        var configured = Environment.GetEnvironmentVariable("Stack__ContainerRuntime");
        var engine = ContainerMachine.Engine;
        if (configured is { Length: > 0 })
        {
            Assert.Equal(Path.GetFileName(configured), engine.Name);
            return;
        }

        var docker = await new ContainerEngineLocator(new StackOptions { ContainerRuntime = "docker" }, NullLogger<ContainerEngineLocator>.Instance).DetectAsync();
        if (TestEnvironment.IsCI)
        {
            Assert.True(
                docker.Engine is not null,
                $"CI runs the container tests on Docker Engine, and its daemon does not answer ({docker.Reason}); they would have run on {engine.Name}. " +
                "Run .ci/steps/22-docker.sh (it installs docker.io and starts dockerd), or set Stack__ContainerRuntime=podman to run them on Podman on purpose.");
        }

        // A machine with both engines answering: the stack (and so the tests) take Docker, as Aspire does.
        Assert.Equal(docker.Engine is not null ? "docker" : engine.Name, engine.Name);
    }
}
