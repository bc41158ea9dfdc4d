using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.Tests.Utilities;

namespace StackModel.IntegrationTests;

/// <summary>
/// The migration runner is built NativeAOT when the toolchain is there (eng/build/NativeAotRunner.targets): the AppHost then runs
/// that executable, held at its gate like the ReadyToRun build, and says in the runner's log which build it runs. CI installs the
/// toolchain (.ci/steps/01-aot-toolchain.sh), so there the native build must be the one that ran.
/// </summary>
public sealed class NativeRunnerTests
{
    [RequiresPostgresFact]
    public async Task The_stack_runs_the_runners_native_build_when_it_was_built_and_says_which_build_it_runs()
    {
        var ct = TestStack.Timeout();
        var native = new Projects.MigrationRunner().NativeExecutablePath!;
        var nativeBuilt = File.Exists(native);
        if (TestEnvironment.IsCI)
        {
            Assert.True(nativeBuilt, $"CI installs the NativeAOT toolchain, so the build should have published {native}.");
        }

        await using var app = await TestStack.StartAppHostAsync(ct);
        var runner = await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        Assert.Equal(0, runner.ExitCode);
        var lines = app.ResourceLogs.GetLines("migrations").Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.Contains("held at its start gate", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Database is up to date", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(nativeBuilt ? $"Running the native build {native}" : "Running the ReadyToRun build with dotnet", StringComparison.Ordinal));
    }
}
