namespace StackModel.Hosting.Runtimes;

/// <summary>What a runtime needs to start the stack's PostgreSQL server.</summary>
/// <param name="ResourceName">The server resource's name.</param>
/// <param name="StateDirectory">The folder for the server's data (created when missing).</param>
/// <param name="HostPort">The port on 127.0.0.1 to listen on or publish.</param>
/// <param name="SuperUserPassword">The superuser password, used when the cluster is created.</param>
/// <param name="Log">Receives each line the server prints.</param>
internal sealed record PostgresStartRequest(string ResourceName, string StateDirectory, int HostPort, string SuperUserPassword, Action<string, bool> Log)
{
    /// <summary>Gets the names of the server's databases (a test cluster copied from the cache gets them by renaming spares, see Process.ClusterCache).</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];
}
