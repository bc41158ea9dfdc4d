namespace StackModel.Hosting.Runtimes;

/// <summary>A running PostgreSQL server.</summary>
internal sealed class PostgresServerHandle(bool created, int serverPort, Task<int> exited, Func<CancellationToken, Task> stop)
{
    /// <summary>Gets a value indicating whether the cluster was created by this start.</summary>
    public bool Created { get; } = created;

    /// <summary>Gets the port the server listens on in its own context (what <c>inet_server_port()</c> returns).</summary>
    public int ServerPort { get; } = serverPort;

    /// <summary>Gets the named volume holding the cluster when it runs in a container (recorded in the stack record), else <see langword="null"/>.</summary>
    public string? Volume { get; init; }

    /// <summary>Completes when the server exits, with its exit code.</summary>
    public Task<int> Exited { get; } = exited;

    /// <summary>Stops the server with a fast shutdown.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => stop(cancellationToken);
}
