using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// A database on a <see cref="PostgresServerResource"/>, owned by a login role of its own. <c>CONNECT</c> is revoked from
/// <c>PUBLIC</c> and granted to that owner only, so a reference hands out credentials that open this database and no other.
/// </summary>
/// <remarks>
/// The owner role is <c>&lt;database&gt;_owner</c> with a generated password kept in the stack's state. Once the database declares its
/// migration system (<c>WithMigrations</c>), the owner is the <em>migrator</em>, handed to that system only, and every other consumer
/// gets the <em>runtime</em> role <c>&lt;database&gt;_user</c>: it reads and writes rows but cannot change the schema, which a firewall
/// in the database enforces (see README, "Two roles and a schema firewall").
/// </remarks>
public sealed class PostgresDatabaseResource : Resource, IResourceWithParent, IResourceWithConnectionString, IResourceWithConsumerConnection, IResourceWithWaitSupport
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
        RuntimeRole = databaseName + "_user";
    }

    /// <summary>Gets the database name inside PostgreSQL.</summary>
    public string DatabaseName { get; }

    /// <summary>Gets the server.</summary>
    public PostgresServerResource Server { get; }

    /// <inheritdoc/>
    public IResource Parent => Server;

    /// <summary>Gets the login role that owns the database: its migrator once a migration system is declared.</summary>
    public string OwnerRole { get; }

    /// <summary>Gets the owner's password parameter.</summary>
    public ParameterResource OwnerPassword { get; }

    /// <summary>Gets the runtime role's name (<c>&lt;database&gt;_user</c>); it exists only once a migration system is declared.</summary>
    public string RuntimeRole { get; }

    /// <summary>Gets the runtime role's password parameter; <see langword="null"/> until a migration system is declared.</summary>
    public ParameterResource? RuntimePassword { get; internal set; }

    /// <summary>Gets whether the database splits its migrator from its runtime role (it declares a migration system).</summary>
    internal bool HasRuntimeRole => RuntimePassword is not null && Annotations.OfType<DatabaseMigrationsAnnotation>().Any();

    /// <summary>Gets the migration system, if one is declared.</summary>
    internal IResource? MigrationSystem => Annotations.OfType<DatabaseMigrationsAnnotation>().FirstOrDefault()?.Migrator;

    /// <summary>Gets the connection string every consumer but the migration system gets: the runtime role's, or the owner's when no migration system is declared.</summary>
    public ReferenceExpression ConnectionStringExpression => PostgresConnectionStrings.Keyword(Server.Endpoint, ConsumerRole, ConsumerPassword, DatabaseName);

    /// <summary>Gets the <c>postgresql://</c> URI form of <see cref="ConnectionStringExpression"/>, with user and password escaped.</summary>
    public ReferenceExpression UriExpression => PostgresConnectionStrings.Uri(Server.Endpoint, ConsumerRole, ConsumerPassword, DatabaseName);

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, ReferenceExpression>> ConnectionProperties =>
        PostgresConnectionStrings.Properties(Server.Endpoint, ConsumerRole, ConsumerPassword, DatabaseName);

    /// <summary>Gets the migrator's (owner's) connection string: only the migration system may be given it (<c>Build()</c> refuses any other program).</summary>
    public ReferenceExpression MigratorConnectionStringExpression => PostgresConnectionStrings.Keyword(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);

    /// <summary>Gets the <c>postgresql://</c> URI form of <see cref="MigratorConnectionStringExpression"/>.</summary>
    public ReferenceExpression MigratorUriExpression => PostgresConnectionStrings.Uri(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);

    /// <summary>Gets the migrator's connection properties.</summary>
    public IReadOnlyList<KeyValuePair<string, ReferenceExpression>> MigratorConnectionProperties =>
        PostgresConnectionStrings.Properties(Server.Endpoint, OwnerRole, OwnerPassword, DatabaseName);

    /// <summary>Gets the role consumers other than the migration system get.</summary>
    internal string ConsumerRole => HasRuntimeRole ? RuntimeRole : OwnerRole;

    private ParameterResource ConsumerPassword => HasRuntimeRole ? RuntimePassword! : OwnerPassword;

    ReferenceExpression IResourceWithConsumerConnection.ConnectionStringFor(IResource consumer) =>
        ReferenceEquals(consumer, MigrationSystem) ? MigratorConnectionStringExpression : ConnectionStringExpression;

    IReadOnlyList<KeyValuePair<string, ReferenceExpression>> IResourceWithConsumerConnection.ConnectionPropertiesFor(IResource consumer) =>
        ReferenceEquals(consumer, MigrationSystem) ? MigratorConnectionProperties : ConnectionProperties;
}
