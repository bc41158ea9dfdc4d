using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using StackModel.Hosting.Testing;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A container registry on 127.0.0.1 (the distribution registry server, Debian's <c>docker-registry</c> package), started by a test
/// and stopped with it: the one way to prove a real pull on a machine that reaches no registry.
/// </summary>
internal sealed class LocalRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly TempDirectory _folder;

    private LocalRegistry(Process process, TempDirectory folder, int port)
    {
        _process = process;
        _folder = folder;
        Address = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
    }

    /// <summary>Gets <c>127.0.0.1:&lt;port&gt;</c>, the registry part of an image reference.</summary>
    public string Address { get; }

    public static string? MissingReason => File.Exists(Binary) ? null : $"{Binary} is not installed: apt-get install -y docker-registry";

    public static async Task<LocalRegistry> StartAsync(CancellationToken cancellationToken)
    {
        var folder = new TempDirectory();
        var port = FreePorts.Next();
        var config = Path.Combine(folder.Path, "config.yml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {folder.Path}/data
            http:
              addr: 127.0.0.1:{port}
            """), cancellationToken);
        var process = Process.Start(new ProcessStartInfo(Binary, ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not start {Binary}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, folder, port);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return registry;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (SocketException)
            {
                registry.Dispose();
                throw new InvalidOperationException($"{Binary} exited with code {process.ExitCode} before listening on 127.0.0.1:{port}.");
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _folder.Dispose();
    }
}
