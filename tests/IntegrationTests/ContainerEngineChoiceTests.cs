using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Runtimes.Container;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Which real engine the container tests (and a user's stack) run on. CI runs them on Docker Engine (.ci/steps/22-docker.sh) by
/// the stack's own detection, and once more pinned to Podman (.ci/steps/23-podman-containers.sh): a CI whose Docker daemon
/// does not answer would quietly run everything on Podman, so this test fails then, with the reason. A stack whose cluster lives in
/// one engine's volume is never started on an empty cluster in the other engine.
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

    [RequiresDockerAndPodmanFact]
    public async Task A_stack_created_on_docker_is_refused_on_podman_instead_of_starting_an_empty_cluster_there()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var docker = RequiresDockerAndPodmanFactAttribute.Engine("docker");
        var podman = RequiresDockerAndPodmanFactAttribute.Engine("podman");
        string? volume = null;
        try
        {
            await using (var app = await TestStack.StartAppHostAsync(ct, $"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=container", "--Stack:ContainerRuntime=docker", "--LiteLLM:Runtime=off"))
            {
                volume = ContainerMachine.PostgresVolume(app.Options.Name, state.Path);
                await app.WaitForResourceHealthyAsync("app_dev", ct);
            }

            await using (var app = await TestStack.StartAppHostAsync(ct, $"--Stack:StateDirectory={state.Path}", "--Stack:Runtime=container", "--Stack:ContainerRuntime=podman", "--LiteLLM:Runtime=off"))
            {
                var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

                Assert.Equal(ResourceState.FailedToStart, snapshot.State);
                Assert.Contains($"The stack's cluster was created in the volume '{volume}'", snapshot.Reason, StringComparison.Ordinal);
                Assert.Contains("podman has no such volume: it is on the other engine", snapshot.Reason, StringComparison.Ordinal);
                Assert.Contains("Stack:ContainerRuntime=docker|podman", snapshot.Reason, StringComparison.Ordinal);

                // The stack network is made while the volume is asked about: the refused start removed it at once, not at the stop.
                Assert.False((await podman.RunAsync(["network", "inspect", ContainerMachine.Prefix(app.Options.Name, state.Path)], cancellationToken: ct)).Succeeded, "the refused start left no network on podman");
            }

            Assert.False((await podman.RunAsync(["volume", "inspect", volume], cancellationToken: ct)).Succeeded, "no empty cluster was made on podman");
            Assert.True((await docker.RunAsync(["volume", "inspect", volume], cancellationToken: ct)).Succeeded, "the cluster's volume stays on docker");
        }
        finally
        {
            if (volume is not null)
            {
                await docker.RunAsync(["volume", "rm", "-f", volume], cancellationToken: CancellationToken.None);
                await podman.RunAsync(["volume", "rm", "-f", volume], cancellationToken: CancellationToken.None);
            }
        }
    }
}
