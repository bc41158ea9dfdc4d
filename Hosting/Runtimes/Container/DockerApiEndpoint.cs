using System.Text.Json;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Decides whether the AppHost talks to Docker Engine through its HTTP API on a Unix socket (<see cref="DockerEngineApi"/>) or
/// through the <c>docker</c> CLI, by the same settings the CLI reads, so that both reach the same daemon: <c>DOCKER_HOST</c>
/// (<c>unix://</c> only), else the CLI's context (<c>DOCKER_CONTEXT</c>, or <c>currentContext</c> in <c>$DOCKER_CONFIG/config.json</c>,
/// default <c>~/.docker/config.json</c>), else <c>/var/run/docker.sock</c>. Anything else — a <c>tcp://</c> or <c>ssh://</c> host,
/// a context other than <c>default</c> (its endpoint and TLS settings live in the CLI's context store), a CLI that is a script
/// (podman-docker's <c>docker</c>, a wrapper that picks its own daemon), Podman — keeps the CLI.
/// </summary>
internal static class DockerApiEndpoint
{
    /// <summary>The socket Docker's CLI talks to when nothing else is set.</summary>
    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>
    /// Returns the Unix socket to use for the engine whose CLI is <paramref name="cliPath"/> (named <paramref name="engineName"/>),
    /// or <see langword="null"/> with why the CLI is used instead.
    /// </summary>
    /// <param name="engineName">The CLI's file name (<c>docker</c>, <c>podman</c>).</param>
    /// <param name="cliPath">The CLI's full path.</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/> in the AppHost).</param>
    public static (string? Socket, string Reason) Resolve(string engineName, string cliPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.Equals(engineName, "docker", StringComparison.Ordinal))
        {
            return (null, $"'{engineName}' is not Docker's CLI");
        }

        if (!IsNativeExecutable(cliPath))
        {
            return (null, $"'{cliPath}' is a script, which may choose its own daemon");
        }

        if (environment("DOCKER_HOST") is { Length: > 0 } host)
        {
            return host.StartsWith("unix://", StringComparison.Ordinal) && host.Length > "unix://".Length
                ? (host["unix://".Length..], $"DOCKER_HOST={host}")
                : (null, $"DOCKER_HOST={host} is not a unix:// socket");
        }

        if (environment("DOCKER_CONTEXT") is { Length: > 0 } context && context != "default")
        {
            return (null, $"DOCKER_CONTEXT={context} is not the default context");
        }

        if (CurrentContext(environment) is { Length: > 0 } current && current != "default")
        {
            return (null, $"the CLI's current context is '{current}', not the default one");
        }

        return File.Exists(DefaultSocket)
            ? (DefaultSocket, "DOCKER_HOST unset, the default context")
            : (null, $"DOCKER_HOST is unset and {DefaultSocket} does not exist");
    }

    /// <summary>Whether <paramref name="path"/> is a compiled program (ELF or Mach-O), not a script that may set its own daemon.</summary>
    internal static bool IsNativeExecutable(string path)
    {
        try
        {
            Span<byte> magic = stackalloc byte[4];
            using var file = File.OpenRead(path);
            return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                   && (magic.SequenceEqual("\u007fELF"u8) || magic.SequenceEqual(new byte[] { 0xCF, 0xFA, 0xED, 0xFE }) || magic.SequenceEqual(new byte[] { 0xCA, 0xFE, 0xBA, 0xBE }));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The CLI's <c>currentContext</c> from its configuration file, or <see langword="null"/> when none is set or it cannot be read.</summary>
    private static string? CurrentContext(Func<string, string?> environment)
    {
        var folder = environment("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".docker") : null;
        if (folder is null)
        {
            return null;
        }

        try
        {
            var path = Path.Combine(folder, "config.json");
            if (!File.Exists(path))
            {
                return null;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("currentContext", out var current)
                   && current.ValueKind == JsonValueKind.String
                ? current.GetString()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return "(unreadable configuration)"; // the CLI decides; it says what is wrong with its file
        }
    }
}
