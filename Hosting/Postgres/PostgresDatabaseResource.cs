using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// A database on a <see cref="PostgresServerResource"/>, owned by a login role of its own. <c>CONNECT</c> is revoked from
/// <c>PUBLIC</c> and granted to that owner only, so a reference hands out credentials that open this database and no other.
/// </summary>
/// <remarks>The owner role is <c>&lt;database&gt;_owner</c> with a generated password kept in the stack's state.</remarks>
public sealed class PostgresDatabaseResource : Resource, IResourceWithParent, IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>Initializes a database resource.</summary>
    public PostgresDatabaseResource(string name, string databaseName, PostgresServerResource server, ParameterResource ownerPassword)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(ownerPassword);
        PostgresIdentifiers.ThrowIfInvalidDatabaseName(databaseName);
        DatabaseName = databaseName;
        Server = server;
        OwnerRole = databaseName + "_owner";
        OwnerPassword = ownerPassword;
    }

    /// <summary>Gets the database name inside PostgreSQL.</summary>
    public string DatabaseName { get; }

    /// <summary>Gets the server.</summary>
    public PostgresServerResource Server { get; }

    /// <inheritdoc/>
    public IResource Parent => Server;

    /// <summary>Gets the login role that owns the database.</summary>
    public string OwnerRole { get; }

    /// <summary>Gets the owner's password parameter.</summary>
    public ParameterResource OwnerPassword { get; }

    /// <inheritdoc/>
    public ReferenceExpression ConnectionStringExpression => PostgresConnectionStrings.Keyword(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);

    /// <summary>Gets the <c>postgresql://</c> URI form of the connection, with user and password escaped.</summary>
    public ReferenceExpression UriExpression => PostgresConnectionStrings.Uri(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, ReferenceExpression>> ConnectionProperties =>
        PostgresConnectionStrings.Properties(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);
}
