namespace StackModel.IntegrationTests;

/// <summary>
/// The runtime settings that <c>StackModel.Hosting.Testing</c> gives a test project (<c>Hosting.Testing/build/StackModel.Hosting.Testing.props</c>:
/// tiered PGO off, no thread-pool spin-waiting; round 6 in docs/MEASUREMENTS-HISTORY.md) reach this test process's runtimeconfig, as they reach
/// a project that references the package. Without the props both are absent and the runtime's defaults apply.
/// </summary>
public class TestProcessRuntimeSettingsTests
{
    [Fact]
    public void The_test_process_runs_without_tiered_PGO()
    {
        Assert.Equal("false", AppContext.GetData("System.Runtime.TieredPGO")?.ToString(), ignoreCase: true);
    }

    [Fact]
    public void The_test_process_thread_pool_does_not_spin_for_work()
    {
        Assert.Equal("0", AppContext.GetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit")?.ToString());
    }
}
