using System.Text;
using System.Text.Json.Nodes;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// When the AppHost talks to Docker Engine through its API (a Unix socket the docker CLI would use too) and when through the CLI;
/// the create body that stands for the CLI's <c>run</c> arguments; the log stream's line cutting. No engine needed.
/// </summary>
public sealed class DockerApiEndpointTests : IDisposable
{
    private const string NativeProgram = "/bin/sh"; // any compiled program stands for the docker CLI's binary here
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-docker-api-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_unix_DOCKER_HOST_is_the_socket_asked()
    {
        var (socket, reason) = DockerApiEndpoint.Resolve("docker", NativeProgram, Env(("DOCKER_HOST", "unix:///run/user/1000/docker.sock")));

        Assert.Equal("/run/user/1000/docker.sock", socket);
        Assert.Equal("DOCKER_HOST=unix:///run/user/1000/docker.sock", reason);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("ssh://me@build-host")]
    [InlineData("fd://")]
    public void Any_other_DOCKER_HOST_keeps_the_CLI_and_says_why(string host)
    {
        var (socket, reason) = DockerApiEndpoint.Resolve("docker", NativeProgram, Env(("DOCKER_HOST", host)));

        Assert.Null(socket);
        Assert.Equal($"DOCKER_HOST={host} is not a unix:// socket", reason);
    }

    [Fact]
    public void A_context_other_than_default_keeps_the_CLI_whether_named_by_DOCKER_CONTEXT_or_by_the_CLIs_configuration()
    {
        File.WriteAllText(Path.Combine(_folder, "config.json"), """{"auths":{},"currentContext":"remote"}""");

        Assert.Null(DockerApiEndpoint.Resolve("docker", NativeProgram, Env(("DOCKER_CONTEXT", "colima"))).Socket);
        var (socket, reason) = DockerApiEndpoint.Resolve("docker", NativeProgram, Env(("DOCKER_CONFIG", _folder)));
        Assert.Null(socket);
        Assert.Contains("'remote'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_docker_that_is_a_script_or_podman_keeps_the_CLI()
    {
        var script = Path.Combine(_folder, "docker");
        File.WriteAllText(script, "#!/bin/sh\nexec podman \"$@\"\n"); // podman-docker's docker, or a wrapper choosing its own daemon

        Assert.Null(DockerApiEndpoint.Resolve("docker", script, Env(("DOCKER_HOST", "unix:///var/run/docker.sock"))).Socket);
        Assert.Null(DockerApiEndpoint.Resolve("podman", NativeProgram, Env(("DOCKER_HOST", "unix:///var/run/docker.sock"))).Socket);
    }

    [Fact]
    public void The_create_body_of_a_warm_postgres_start_is_the_container_the_CLIs_run_arguments_make()
    {
        var spec = new ContainerSpec("postgres", "docker.io/library/postgres:15")
        {
            Ports = [(25432, 5432)],
            Environment = new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = "secret", ["UNSET"] = null },
            Mounts = [new ContainerMount("stack-postgres-data", "/var/lib/postgresql/data", IsVolume: true, ReadOnly: false)],
            Entrypoint = "postgres",
            User = "postgres",
            Tmpfs = ["/var/run/postgresql:mode=3777"],
            JoinsNetworkAfterStart = true,
        };

        var body = DockerContainerConfig.For(spec, "stack", "io.stackmodel.stack");

        Assert.Equal("docker.io/library/postgres:15", (string?)body["Image"]);
        Assert.Equal("stack", (string?)body["Labels"]!["io.stackmodel.stack"]);
        Assert.Equal(["POSTGRES_PASSWORD=secret"], body["Env"]!.AsArray().Select(e => (string?)e)); // unset: not passed, as '-e UNSET' with UNSET unset
        Assert.Equal(["postgres"], body["Entrypoint"]!.AsArray().Select(e => (string?)e));
        Assert.Null(body["Cmd"]); // --entrypoint without arguments: no command, as the CLI sends
        Assert.Equal("postgres", (string?)body["User"]);
        Assert.NotNull(body["ExposedPorts"]!["5432/tcp"]);
        var binding = body["HostConfig"]!["PortBindings"]!["5432/tcp"]!.AsArray().Single()!;
        Assert.Equal("127.0.0.1", (string?)binding["HostIp"]); // published on loopback only
        Assert.Equal("25432", (string?)binding["HostPort"]);
        Assert.Equal(["stack-postgres-data:/var/lib/postgresql/data"], body["HostConfig"]!["Binds"]!.AsArray().Select(e => (string?)e));
        Assert.Equal("mode=3777", (string?)body["HostConfig"]!["Tmpfs"]!["/var/run/postgresql"]);
        Assert.Equal("default", (string?)body["HostConfig"]!["NetworkMode"]);
        Assert.Null(body["NetworkingConfig"]);
    }

    [Fact]
    public void A_peer_container_is_created_on_the_stack_network_with_its_alias_and_its_arguments()
    {
        var spec = new ContainerSpec("litellm", "localhost/stackmodel/litellm-standin:dev") { Args = ["--port", "4100"] };

        var body = DockerContainerConfig.For(spec, "stack", "io.stackmodel.stack");

        Assert.Equal("stack", (string?)body["HostConfig"]!["NetworkMode"]);
        Assert.Equal(["litellm"], body["NetworkingConfig"]!["EndpointsConfig"]!["stack"]!["Aliases"]!.AsArray().Select(e => (string?)e));
        Assert.Equal(["--port", "4100"], body["Cmd"]!.AsArray().Select(e => (string?)e));
        Assert.Null(body["Entrypoint"]); // the image's own
        Assert.Null(body["User"]);
        Assert.Empty(body["HostConfig"]!["PortBindings"]!.AsObject());
    }

    [Fact]
    public void Log_frames_are_cut_into_lines_with_a_character_split_across_frames_decoded_whole()
    {
        var lines = new List<string>();
        var splitter = new LineSplitter(lines.Add);
        var bytes = Encoding.UTF8.GetBytes("ready to accept connections\r\nnaïve\nlast");
        var split = Array.IndexOf(bytes, (byte)0xC3) + 1; // inside 'ï'

        splitter.Append(bytes.AsSpan(0, split));
        splitter.Append(bytes.AsSpan(split));
        Assert.Equal(["ready to accept connections", "naïve"], lines);
        splitter.Flush();
        Assert.Equal(["ready to accept connections", "naïve", "last"], lines);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
