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
}
