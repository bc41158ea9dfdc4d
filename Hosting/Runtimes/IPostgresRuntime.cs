namespace StackModel.Hosting.Runtimes;

/// <summary>Runs a PostgreSQL server: as a local process from the machine's binaries, or as a container.</summary>
internal interface IPostgresRuntime
{
    /// <summary>Gets the runtime's name as recorded and shown: <c>process</c> or <c>container</c>.</summary>
    string Name { get; }

    /// <summary>Creates the cluster when it does not exist yet and starts the server; returns once the server process runs.</summary>
    Task<PostgresServerHandle> StartAsync(PostgresStartRequest request, CancellationToken cancellationToken = default);
}
