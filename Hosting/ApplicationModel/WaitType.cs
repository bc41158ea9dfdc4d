namespace StackModel.Hosting.ApplicationModel;

/// <summary>What a resource waits for before it starts.</summary>
public enum WaitType
{
    /// <summary>The dependency is running and its health checks pass.</summary>
    WaitUntilHealthy,

    /// <summary>The dependency ran to completion with exit code 0.</summary>
    WaitForCompletion,
}
