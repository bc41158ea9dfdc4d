using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.IntegrationTests;

/// <summary>
/// Stack:PullPolicy on the real engine, for PostgreSQL's image. The image is pointed (Stack:PostgresImage) at a unique tag on a
/// registry address where nothing listens, so the shared postgres:15 image is never touched and every pull fails at once.
/// </summary>
[Trait("Category", "Container")]
public class ImagePullTests
{
    private static string AbsentImage() => $"127.0.0.1:1/stackmodel-absent/postgres:{Guid.NewGuid():N}";

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task Auto_on_a_new_state_folder_runs_postgres_as_a_process_when_its_image_is_absent_and_cannot_be_pulled_and_says_why_first()
    {
        var ct = TestStack.Timeout();
        var image = AbsentImage();
        string stackName;
        await using (var app = await TestStack.StartAppHostAsync(ct, "--Stack:Runtime=auto", "--Stack:PullPolicy=missing", $"--Stack:PostgresImage={image}", "--LiteLLM:Runtime=off"))
        {
            stackName = app.Options.Name;
            var postgres = await app.WaitForResourceHealthyAsync("postgres", ct);
            await app.WaitForResourceHealthyAsync("app_dev", ct);

            Assert.Equal("process", postgres.Runtime);
            Assert.Equal("process", app.State.ReadRecord()!.Runtime);
            var log = app.ResourceLogs.GetLines("postgres", 500).Select(l => l.Text).ToArray();
            var first = log[0];
            Assert.StartsWith("Runtime: process (Stack:Runtime=auto and a container engine answers", first, StringComparison.Ordinal);
            Assert.Matches($@"but the image {System.Text.RegularExpressions.Regex.Escape(image)} is not present locally and '(docker|podman) pull' failed: .*127\.0\.0\.1:1", first);
            Assert.Contains("connection refused", first, StringComparison.OrdinalIgnoreCase); // the engine's own error
            Assert.Contains("eng/containers/postgres/build-image.sh", first, StringComparison.Ordinal);
            Assert.DoesNotContain("these machines", first, StringComparison.Ordinal);
            Assert.Contains(log, l => l.StartsWith($"Pulling image {image} (", StringComparison.Ordinal)); // the pull's own output follows
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task A_pinned_container_runtime_with_pull_policy_never_and_an_absent_image_fails_at_once_with_how_to_build_it()
    {
        var ct = TestStack.Timeout();
        var image = AbsentImage();
        string stackName;
        await using (var app = await TestStack.StartAppHostAsync(ct, "--Stack:Runtime=container", "--Stack:PullPolicy=never", $"--Stack:PostgresImage={image}", "--LiteLLM:Runtime=off"))
        {
            stackName = app.Options.Name;
            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            Assert.Contains($"Image '{image}' of 'postgres' is not present locally, and Stack:PullPolicy=never forbids pulling it.", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains("eng/containers/postgres/build-image.sh", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains($"Stack:PostgresImage is '{image}'", snapshot.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(app.ResourceLogs.GetLines("postgres", 200), l => l.Text.StartsWith("Pulling image", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(app.StateDirectory, StackRecord.FileName)));
            Assert.Equal(ResourceState.FailedToStart, (await app.ResourceNotifications.WaitForResourceAsync("migrations", s => s.IsTerminal, ct)).State);
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task A_pinned_container_runtime_whose_pull_fails_names_the_engines_error_and_how_to_build_the_image()
    {
        var ct = TestStack.Timeout();
        var image = AbsentImage();
        string stackName;
        await using (var app = await TestStack.StartAppHostAsync(ct, "--Stack:Runtime=container", "--Stack:PullPolicy=missing", $"--Stack:PostgresImage={image}", "--LiteLLM:Runtime=off"))
        {
            stackName = app.Options.Name;
            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            Assert.Matches($@"Image '{System.Text.RegularExpressions.Regex.Escape(image)}' of 'postgres' is not present locally, and '(docker|podman) pull .*' failed: .*127\.0\.0\.1:1", snapshot.Reason);
            Assert.Contains("connection refused", snapshot.Reason, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("If the registry could not be reached from this machine, build the image locally", snapshot.Reason, StringComparison.Ordinal);
            Assert.Contains("eng/containers/postgres/build-image.sh", snapshot.Reason, StringComparison.Ordinal);
            var log = app.ResourceLogs.GetLines("postgres", 200).Select(l => l.Text).ToArray();
            Assert.StartsWith("Runtime: container (Stack:Runtime=container)", log[0], StringComparison.Ordinal);
            Assert.Contains(log, l => l.StartsWith($"Pulling image {image} failed:", StringComparison.Ordinal));
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

    [RequiresContainerEngineFact(NeedsPostgresImage = false)]
    public async Task An_unknown_pull_policy_is_refused_with_the_accepted_values()
    {
        var ct = TestStack.Timeout();
        string stackName;
        await using (var app = await TestStack.StartAppHostAsync(ct, "--Stack:Runtime=container", "--Stack:PullPolicy=sometimes", $"--Stack:PostgresImage={AbsentImage()}", "--LiteLLM:Runtime=off"))
        {
            stackName = app.Options.Name;
            var snapshot = await app.ResourceNotifications.WaitForResourceAsync("postgres", s => s.IsTerminal, ct);

            Assert.Equal(ResourceState.FailedToStart, snapshot.State);
            Assert.Contains("Stack:PullPolicy is 'sometimes'; expected missing", snapshot.Reason, StringComparison.Ordinal);
        }

        Assert.Empty(await ContainerMachine.LeftoversAsync(stackName));
    }

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
                Environment.SetEnvironmentVariable("CONTAINERS_REGISTRIES_CONF", null);
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
