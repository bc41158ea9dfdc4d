using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>A PostgreSQL server (cluster). Its databases are <see cref="PostgresDatabaseResource"/>s.</summary>
/// <remarks>Target port 5432; superuser <c>postgres</c> with a generated password kept in the stack's state.</remarks>
public sealed class PostgresServerResource : Resource, IResourceWithEndpoints, IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>The endpoint name.</summary>
    public const string EndpointName = "tcp";

    /// <summary>The port PostgreSQL listens on inside its own network context.</summary>
    public const int DefaultTargetPort = 5432;

    /// <summary>The superuser's name.</summary>
    public const string SuperUserName = "postgres";

    private readonly List<PostgresDatabaseResource> _databases = [];

    /// <summary>Initializes a server resource.</summary>
    public PostgresServerResource(string name, ParameterResource superUserPassword)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(superUserPassword);
        SuperUserPassword = superUserPassword;
        Endpoint = new EndpointReference(this, EndpointName);
    }

    /// <summary>Gets the superuser's password parameter.</summary>
    public ParameterResource SuperUserPassword { get; }

    /// <summary>Gets the server's endpoint.</summary>
    public EndpointReference Endpoint { get; }

    /// <summary>Gets the databases declared on this server.</summary>
    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    /// <summary>Gets the superuser connection string (maintenance database <c>postgres</c>). Only the orchestrator uses it.</summary>
    public ReferenceExpression ConnectionStringExpression => PostgresConnectionStrings.Keyword(Endpoint, SuperUserName, SuperUserPassword, "postgres");

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, ReferenceExpression>> ConnectionProperties =>
        PostgresConnectionStrings.Properties(Endpoint, SuperUserName, SuperUserPassword, "postgres");

    /// <summary>Gets or sets the stack record of this server's cluster (set when the stack resolves its state); guarded consumers are given it.</summary>
    internal string? RecordPath { get; set; }

    internal void AddDatabase(PostgresDatabaseResource database) => _databases.Add(database);
}
