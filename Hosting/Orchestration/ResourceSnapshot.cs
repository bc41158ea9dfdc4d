namespace StackModel.Hosting.Orchestration;

/// <summary>What is known about a resource at one moment.</summary>
public sealed record ResourceSnapshot
{
    /// <summary>Gets the resource name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the resource type shown to users (<c>Postgres</c>, <c>Database</c>, <c>Project</c>, <c>Executable</c>, <c>Container</c>).</summary>
    public required string ResourceType { get; init; }

    /// <summary>Gets where the resource runs: <c>process</c>, <c>container</c>, or empty for resources inside another one.</summary>
    public string Runtime { get; init; } = string.Empty;

    /// <summary>Gets the lifecycle state.</summary>
    public ResourceState State { get; init; } = ResourceState.NotStarted;

    /// <summary>Gets when the resource was last started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when the resource last stopped or exited.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>Gets the exit code of a finished process.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Gets the names of the resources this one is waiting for.</summary>
    public IReadOnlyList<string> WaitingFor { get; init; } = [];

    /// <summary>Gets when the resource started waiting (set with the <see cref="ResourceState.Waiting"/> state), for "waiting for X (30 s)".</summary>
    public DateTimeOffset? WaitingSince { get; init; }

    /// <summary>Gets the addresses a process on the host uses (<c>tcp://127.0.0.1:&lt;host port&gt;</c>).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>Gets why the resource is in its state (FailedToStart, NotStarted, Unhealthy), with the fix.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets a value indicating whether the resource is turned off by configuration; whoever waits for it does not wait.</summary>
    public bool Disabled { get; init; }

    /// <summary>Gets a value indicating whether the state is final until someone acts (finished, exited, failed or stopped).</summary>
    public bool IsTerminal => State is ResourceState.Finished or ResourceState.Exited or ResourceState.FailedToStart or ResourceState.Stopped;
}
