using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Stack:PullPolicy=missing against a real registry on 127.0.0.1. On Podman the test points CONTAINERS_REGISTRIES_CONF at its own
/// file, and that variable is process-wide: every AppHost another test spawned meanwhile would inherit it (and fail once the file is
/// gone), so this class runs alone (<see cref="ProcessEnvironmentCollection"/>).
/// </summary>
[Trait("Category", "Container")]
[Collection(ProcessEnvironmentCollection.Name)]
public class ImagePullFromRegistryTests
{
    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task A_missing_image_is_pulled_from_a_registry_with_the_pulls_output_in_the_resources_log_and_then_runs()
    {
        Assert.True(LocalRegistry.MissingReason is null || !TestEnvironment.IsCI, LocalRegistry.MissingReason);
        if (LocalRegistry.MissingReason is not null)
        {
            return; // a laptop without Debian's docker-registry package: nothing to pull from (CI fails above instead)
        }

        var ct = TestStack.Timeout();
        var engine = ContainerMachine.Engine;
        using var registry = await LocalRegistry.StartAsync(ct);
        using var rootfs = new TempDirectory();
        var tag = Guid.NewGuid().ToString("N");
        var image = $"{registry.Address}/stackmodel-pulltest/echo";
        var reference = $"{image}:{tag}";
        var tlsOff = engine.IsPodman ? new[] { "--tls-verify=false" } : []; // Docker trusts 127.0.0.0/8 registries over plain HTTP by default
        string? registriesConf = null;
        var previousRegistriesConf = Environment.GetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF");
        string stackName;
        try
        {
            // A tiny image of the host's own /bin/echo and its libc, pushed under a unique name and removed locally: only a pull brings it back.
            var archive = await EchoImageArchiveAsync(rootfs.Path, ct);
            Assert.True((await engine.RunAsync(["import", "--change", "ENTRYPOINT [\"/bin/echo\"]", archive, reference], cancellationToken: ct)).Succeeded);
            var pushed = await engine.RunAsync(["push", .. tlsOff, reference], cancellationToken: ct);
            Assert.True(pushed.Succeeded, pushed.Error);
            Assert.True((await engine.RunAsync(["rmi", reference], cancellationToken: ct)).Succeeded);
            Assert.False((await engine.RunAsync(["image", "inspect", reference], cancellationToken: ct)).Succeeded);
            if (engine.IsPodman)
            {
                // Podman pulls over plain HTTP only from a registry its registries.conf marks insecure: the system file plus this one entry.
                registriesConf = Path.Combine(rootfs.Path, "registries.conf");
                var system = File.Exists("/etc/containers/registries.conf") ? await File.ReadAllTextAsync("/etc/containers/registries.conf", ct) : string.Empty;
                await File.WriteAllTextAsync(registriesConf, $"{system}\n[[registry]]\nlocation = \"{registry.Address}\"\ninsecure = true\n", ct);
                Environment.SetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF", registriesConf);
            }

            await using var builder = DistributedApplicationTestingBuilder.Create("--Stack:PullPolicy=missing");
            builder.AddContainer("echo", image, tag).WithArgs($"pulled-and-ran-{tag}");
            await using var app = await builder.BuildAsync(ct);
            stackName = app.Options.Name;
            await app.StartAsync(ct);

            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("echo", s => s.IsTerminal, ct);

            var log = app.ResourceLogs.GetLines("echo", 500).Select(l => l.Text).ToArray();
            Assert.True(snapshot.State == ResourceState.Finished, $"{snapshot.State}: {snapshot.Reason}{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
            var pulling = Array.FindIndex(log, l => l.StartsWith($"Pulling image {reference} (", StringComparison.Ordinal));
            var pulled = Array.FindIndex(log, l => l.StartsWith($"Pulled image {reference} in ", StringComparison.Ordinal));
            var ran = Array.IndexOf(log, $"pulled-and-ran-{tag}");
            Assert.True(pulling >= 0 && pulled > pulling + 1 && ran > pulled, string.Join(Environment.NewLine, log)); // the engine's own lines between
            Assert.Contains(log[(pulling + 1)..pulled], l => l.Contains("Pull complete", StringComparison.Ordinal) || l.Contains("Writing manifest", StringComparison.Ordinal));
        }
        finally
        {
            if (registriesConf is not null)
            {
                Environment.SetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF", previousRegistriesConf);
            }

            await engine.RunAsync(["rmi", "-f", reference], cancellationToken: CancellationToken.None);
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    /// <summary>Writes a root file system holding <c>/bin/echo</c> and the libraries it loads, as a tar archive.</summary>
    private static async Task<string> EchoImageArchiveAsync(string folder, CancellationToken ct)
    {
        var root = Path.Combine(folder, "rootfs");
        foreach (var file in new[] { "/bin/echo", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2" })
        {
            var target = Path.Combine(root, file.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }

        var archive = Path.Combine(folder, "rootfs.tar");
        var tar = await AppHostCommand.RunAsync(new System.Diagnostics.ProcessStartInfo("tar", ["-C", root, "-cf", archive, "."]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true }, null, ct);
        Assert.True(tar.ExitCode == 0, tar.Stderr);
        return archive;
    }
}
