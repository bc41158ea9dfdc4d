using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// Docker Engine and docker-compose as a user runs them on a published stack, and what the compose tests need of the machine:
/// both answering, and the images the published file names present in Docker (postgres:15, the LiteLLM stand-in, the
/// migration runner: built by eng/containers and loaded into Docker, as CI does).
/// </summary>
internal static class DockerCompose
{
    /// <summary>The migration runner's image, as AppHost/Program.cs names it (eng/containers/migration-runner/build-image.sh).</summary>
    public const string RunnerImage = "localhost/stackmodel/migration-runner:dev";

    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Why the compose tests cannot run here, or <see langword="null"/>.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>Runs <c>docker-compose -p <paramref name="project"/> ARGS</c> in <paramref name="directory"/> (where its .env is read).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> ComposeAsync(string directory, string project, CancellationToken cancellationToken, params string[] args) =>
        RunAsync("docker-compose", directory, ["-p", project, .. args], cancellationToken);

    public static Task<(int ExitCode, string Stdout, string Stderr)> DockerAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAsync("docker", Path.GetTempPath(), args, cancellationToken);

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on now (the test declares it; the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string directory, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return await AppHostCommand.RunAsync(info, stdin: null, cancellationToken);
    }

    private static string? FindMissing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            if (DockerAsync(cts.Token, "info", "--format", "{{.ServerVersion}}").GetAwaiter().GetResult().ExitCode != 0)
            {
                return "Docker Engine does not answer `docker info`: install docker.io and start dockerd.";
            }

            if (RunAsync("docker-compose", Path.GetTempPath(), ["version", "--short"], cts.Token).GetAwaiter().GetResult().ExitCode != 0)
            {
                return "docker-compose does not answer: apt-get install -y docker-compose.";
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"docker or docker-compose is not installed ({ex.Message}): apt-get install -y docker.io docker-compose.";
        }

        foreach (var image in new[] { ContainerMachine.PostgresImage, $"{ContainerMachine.StandInImage}:{ContainerMachine.StandInTag}", RunnerImage })
        {
            if (DockerAsync(cts.Token, "image", "inspect", "--format", "{{.Id}}", image).GetAwaiter().GetResult().ExitCode != 0)
            {
                return $"The image {image} is not in Docker: build it with eng/containers (postgres/build-image.sh, dotnet-app/build-image.sh, migration-runner/build-image.sh) and load it with `podman save {image} | docker load`.";
            }
        }

        return null;
    }
}
