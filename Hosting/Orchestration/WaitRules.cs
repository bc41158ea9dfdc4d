using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// When a wait is over. <c>WaitFor</c>: the dependency is healthy (or running, when it has no health check). <c>WaitForCompletion</c>:
/// it finished with exit code 0. A dependency turned off by configuration satisfies both, so nothing hangs on it.
/// </summary>
internal static class WaitRules
{
    public static WaitOutcome Outcome(WaitAnnotation wait, ResourceSnapshot snapshot)
    {
        if (snapshot.Disabled)
        {
            return WaitOutcome.Satisfied;
        }

        return (wait.WaitType, snapshot.State) switch
        {
            (_, ResourceState.FailedToStart or ResourceState.Stopped) => WaitOutcome.Failed,
            (WaitType.WaitForCompletion, ResourceState.Finished) => WaitOutcome.Satisfied,
            (WaitType.WaitForCompletion, ResourceState.Exited) => WaitOutcome.Failed,
            (WaitType.WaitUntilHealthy, ResourceState.Finished or ResourceState.Exited) => WaitOutcome.Failed,
            (WaitType.WaitUntilHealthy, ResourceState.Healthy) => WaitOutcome.Satisfied,
            (WaitType.WaitUntilHealthy, ResourceState.Running) when !ResourceKindAnnotation.HasReadinessCheck(wait.Resource) => WaitOutcome.Satisfied,
            _ => WaitOutcome.Pending,
        };
    }
}
