namespace StackModel.Hosting;

/// <summary>Settings of the stack, bound from the configuration section <c>Stack</c>.</summary>
public sealed class StackOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Stack";

    /// <summary>Gets or sets the state folder. Default: <c>.stackmodel/</c> in the AppHost project folder.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The full path of the state folder <paramref name="stateDirectory"/> names (relative to the AppHost folder), or of the default one when it is <see langword="null"/>.</summary>
    internal static string ResolveStateDirectory(string? stateDirectory, string appHostDirectory) =>
        Path.GetFullPath(stateDirectory ?? Path.Combine(appHostDirectory, ".stackmodel"), appHostDirectory);

    /// <summary>Gets or sets the stack's name (container network and names). Default: <c>stackmodel</c>.</summary>
    public string Name { get; set; } = "stackmodel";

    /// <summary>Gets or sets where PostgreSQL runs: <c>auto</c> (default), <c>process</c> or <c>container</c>.</summary>
    public string Runtime { get; set; } = "auto";

    /// <summary>Gets or sets the container engine's command (<c>docker</c> or <c>podman</c>); detected when empty.</summary>
    public string? ContainerRuntime { get; set; }

    /// <summary>
    /// Gets or sets when the stack pulls an image it runs (PostgreSQL, LiteLLM, every <c>AddContainer</c>): <c>missing</c> (default,
    /// as Compose and Aspire do: only when it is not present locally), <c>never</c> (a missing image fails at once with how to build
    /// it) or <c>always</c> (before every container start).
    /// </summary>
    public string PullPolicy { get; set; } = "missing";

    /// <summary>
    /// Gets or sets the image PostgreSQL runs as a container, with its tag. Default: <c>docker.io/library/postgres:15</c>
    /// (pinned in <c>PostgresContainerImageTags</c>); another build of the same major version (a mirror, a local build) may stand in.
    /// </summary>
    public string? PostgresImage { get; set; }

    /// <summary>Gets or sets the folder holding <c>initdb</c> and <c>postgres</c>; searched for when empty.</summary>
    public string? PostgresBinDirectory { get; set; }

    /// <summary>The account PostgreSQL runs as under root unless <see cref="PostgresUser"/> names another.</summary>
    internal const string DefaultPostgresUser = "postgres";

    /// <summary>Gets or sets the unprivileged account PostgreSQL runs as when the AppHost runs as root. Default: <c>postgres</c>.</summary>
    public string PostgresUser { get; set; } = DefaultPostgresUser;

    /// <summary>
    /// Gets or sets where an AppHost running as root keeps a process cluster whose state folder the PostgreSQL account cannot
    /// enter (a private parent such as <c>/root</c>): <c>&lt;folder&gt;/&lt;id of the state folder&gt;</c>, recorded in the state
    /// folder. Default: <c>/var/lib/stackmodel/clusters</c>.
    /// </summary>
    public string? ReachableDataDirectory { get; set; }

    /// <summary>Gets or sets how long a resource may take to become healthy before it is reported unhealthy. Default: 60 s.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the machine-wide cache of pristine clusters that a test cluster (<see cref="TestCluster"/>) is copied from instead
    /// of running <c>initdb</c> (<see cref="Runtimes.Process.ClusterCache"/>; the testing builder sets it: README, "Testing your app").
    /// Empty, or for a cluster that is not a test cluster: <c>initdb</c>.
    /// </summary>
    public string? ClusterCacheDirectory { get; set; }

    /// <summary>
    /// Gets or sets whether the cluster is thrown away when the stack stops (the testing builder sets it as it disposes a stack whose
    /// temporary state folder it deletes): PostgreSQL then stops at once (immediate shutdown) instead of writing a shutdown checkpoint.
    /// Not bound from configuration.
    /// </summary>
    internal bool DiscardClusterOnStop { get; set; }

    /// <summary>
    /// Gets or sets whether a test stack's PostgreSQL process runs without durability (<c>fsync=off</c>, <c>synchronous_commit=off</c>,
    /// <c>full_page_writes=off</c>): its data is thrown away with the test stack, so a crash can cost nothing worth keeping. Only the testing
    /// builder sets it (<c>Stack:TestCluster=true</c>), and only for a state folder of its own, deleted on dispose; the server's log says so on every start. Default: <see langword="false"/>.
    /// </summary>
    public bool TestCluster { get; set; }

    /// <summary>Gets or sets a value indicating whether the AppHost writes <c>.env.stack</c> at the repository root on start. Default: <see langword="true"/>.</summary>
    public bool WriteEnvFile { get; set; } = true;
}
