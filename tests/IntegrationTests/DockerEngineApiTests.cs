using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StackModel.IntegrationTests;

/// <summary>
/// How the AppHost talks to Docker Engine: through its API on the Unix socket DOCKER_HOST names (or the default one) on a start's
/// path, through the docker CLI for any other DOCKER_HOST. A relay in front of the real daemon records who asked what.
/// </summary>
[Trait("Category", "Container")]
public class DockerEngineApiTests(ITestOutputHelper output)
{
    private const string AppHostAgent = "StackModel.AppHost";

    [RequiresDockerAndPodmanFact]
    public async Task A_DOCKER_HOST_unix_socket_is_where_a_warm_start_creates_and_starts_postgres_through_the_API_not_the_CLI()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = AppHostProcess.StackNameFor(state.Path);
        var port = FreePorts.Next();
        await using var relay = DockerSocketRelay.OnUnixSocket(Path.Combine(state.Path, "docker.sock"));
        var launch = AppHostLaunch.InTerminal(output).WithVariable("DOCKER_HOST", relay.DockerHost);
        try
        {
            await RunOnceAsync(launch, state.Path, port, ct); // cold: the cluster is made
            relay.Clear();
            await RunOnceAsync(launch, state.Path, port, ct); // warm

            var requests = relay.Requests();
            output.WriteLine(string.Join('\n', requests.Select(r => $"{r.Request}  [{r.UserAgent}]")));
            Assert.Contains(($"GET /volumes/{ContainerMachine.PostgresVolume(stackName, state.Path)}", AppHostAgent), requests);
            Assert.Contains(("POST /containers/create", AppHostAgent), requests);
            Assert.Contains(requests, r => r.Request.StartsWith("POST /containers/", StringComparison.Ordinal) && r.Request.EndsWith("/start", StringComparison.Ordinal) && r.UserAgent == AppHostAgent);
            Assert.Contains(requests, r => r.Request.EndsWith("/logs", StringComparison.Ordinal) && r.UserAgent == AppHostAgent);
            Assert.Contains(requests, r => r.Request.EndsWith("/stop", StringComparison.Ordinal) && r.UserAgent == AppHostAgent);
            Assert.DoesNotContain(requests, r => r.UserAgent.StartsWith("Docker-Client", StringComparison.Ordinal)); // no CLI call on the way
            Assert.Equal([$"volume {ContainerMachine.PostgresVolume(stackName, state.Path)}"], await ContainerMachine.LeftoversAsync(stackName, Docker));
        }
        finally
        {
            await Docker.RunAsync(["rm", "-f", "-v", ContainerMachine.PostgresContainer(stackName, state.Path)]);
            await Docker.RunAsync(["volume", "rm", "-f", ContainerMachine.PostgresVolume(stackName, state.Path)]);
        }
    }

    [RequiresDockerAndPodmanFact]
    public async Task A_tcp_DOCKER_HOST_keeps_every_call_on_the_docker_CLI()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = AppHostProcess.StackNameFor(state.Path);
        await using var relay = DockerSocketRelay.OnLoopbackTcp();
        try
        {
            await RunOnceAsync(AppHostLaunch.InTerminal(output).WithVariable("DOCKER_HOST", relay.DockerHost), state.Path, FreePorts.Next(), ct);

            var requests = relay.Requests();
            output.WriteLine(string.Join('\n', requests.Select(r => $"{r.Request}  [{r.UserAgent}]")));
            Assert.Contains(requests, r => r.Request == "POST /containers/create" && r.UserAgent.StartsWith("Docker-Client", StringComparison.Ordinal));
            Assert.DoesNotContain(requests, r => r.UserAgent == AppHostAgent);
            Assert.Equal([$"volume {ContainerMachine.PostgresVolume(stackName, state.Path)}"], await ContainerMachine.LeftoversAsync(stackName, Docker));
        }
        finally
        {
            await Docker.RunAsync(["rm", "-f", "-v", ContainerMachine.PostgresContainer(stackName, state.Path)]);
            await Docker.RunAsync(["volume", "rm", "-f", ContainerMachine.PostgresVolume(stackName, state.Path)]);
        }
    }

    [RequiresDockerAndPodmanFact]
    public async Task A_warm_start_whose_DOCKER_HOST_socket_does_not_answer_fails_naming_the_socket_and_creates_nothing()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var stackName = AppHostProcess.StackNameFor(state.Path);
        var port = FreePorts.Next();
        var dead = Path.Combine(state.Path, "nobody-serves-this.sock");
        try
        {
            await RunOnceAsync(AppHostLaunch.InTerminal(output), state.Path, port, ct); // the default socket: the cluster is made

            await using var host = AppHostProcess.Start(AppHostLaunch.InTerminal(output).WithVariable("DOCKER_HOST", "unix://" + dead), state.Path, port, "--Stack:Runtime=container", "--Stack:ContainerRuntime=docker");
            await host.WaitForOutputAsync(AppHostProcess.StackUp, ct);

            // The engine remembered from the first start did not answer at that socket, so it was asked again: the reason names it.
            Assert.Matches($"postgres +FailedToStart .*{System.Text.RegularExpressions.Regex.Escape(dead)}", host.Output);
            Assert.Contains("Start Docker or Podman", host.Output, StringComparison.Ordinal);
            host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
            Assert.Equal([$"volume {ContainerMachine.PostgresVolume(stackName, state.Path)}"], await ContainerMachine.LeftoversAsync(stackName, Docker)); // the volume and its data untouched
        }
        finally
        {
            await Docker.RunAsync(["rm", "-f", "-v", ContainerMachine.PostgresContainer(stackName, state.Path)]);
            await Docker.RunAsync(["volume", "rm", "-f", ContainerMachine.PostgresVolume(stackName, state.Path)]);
        }
    }

    private static Hosting.Runtimes.Container.ContainerEngine Docker => RequiresDockerAndPodmanFactAttribute.Engine("docker");

    /// <summary>Starts the stack on Docker as a container until it is up, then stops it with Ctrl+C.</summary>
    private static async Task RunOnceAsync(AppHostLaunch launch, string stateDirectory, int port, CancellationToken ct)
    {
        await using var host = AppHostProcess.Start(launch, stateDirectory, port, "--Stack:Runtime=container", "--Stack:ContainerRuntime=docker");
        await host.WaitForOutputAsync("Press Ctrl+C", ct);
        host.Signal(StackModel.Hosting.Runtimes.NativeMethods.SigInt);
        Assert.True(await host.WaitForExitAsync(ct) == 0, host.Output);
    }
}
