namespace StackModel.ServiceDefaults;

/// <summary>
/// The paths and tags of the default health endpoints that every StackModel service exposes,
/// in one place so that the AppHost's health probes and the services agree on them.
/// </summary>
public static class DefaultHealthEndpoints
{
    /// <summary>The path that runs every registered health check: <c>/health</c>.</summary>
    public const string HealthPath = "/health";

    /// <summary>The path that runs only the checks tagged <see cref="LiveTag"/>: <c>/alive</c>.</summary>
    public const string AlivePath = "/alive";

    /// <summary>The tag of the checks that say the process is alive (answered by <see cref="AlivePath"/>).</summary>
    public const string LiveTag = "live";

    /// <summary>The tag of the checks that say a dependency (such as a database) can be reached.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The name of the default liveness check added by <c>AddServiceDefaults</c>.</summary>
    public const string SelfCheckName = "self";
}
