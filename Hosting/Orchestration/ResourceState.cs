namespace StackModel.Hosting.Orchestration;

/// <summary>The lifecycle state of a resource, as shown on the console and the dashboard.</summary>
public enum ResourceState
{
    /// <summary>Declared, not started (or turned off; the snapshot's reason says why).</summary>
    NotStarted,

    /// <summary>Waiting for other resources; the snapshot says which.</summary>
    Waiting,

    /// <summary>Being started.</summary>
    Starting,

    /// <summary>Started; health not known yet or no health check.</summary>
    Running,

    /// <summary>Running and its health checks pass.</summary>
    Healthy,

    /// <summary>Running but its health checks fail.</summary>
    Unhealthy,

    /// <summary>Ran to completion with exit code 0.</summary>
    Finished,

    /// <summary>Exited with a non-zero exit code.</summary>
    Exited,

    /// <summary>Could not be started; the snapshot's reason says why and how to fix it.</summary>
    FailedToStart,

    /// <summary>Being stopped.</summary>
    Stopping,

    /// <summary>Stopped by the stack.</summary>
    Stopped,
}
