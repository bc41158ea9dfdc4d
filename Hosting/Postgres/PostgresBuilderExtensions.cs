using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>Declares PostgreSQL servers and their databases.</summary>
public static class PostgresBuilderExtensions
{
    /// <summary>Adds a PostgreSQL server.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name; also its host name on the stack's network.</param>
    /// <param name="port">The host port on 127.0.0.1. The server listens on 5432 in its own context.</param>
    /// <remarks>
    /// Runs from the machine's PostgreSQL binaries as a local process, or as a container (<c>Stack:Runtime</c>).
    /// The superuser password is generated once (parameter <c>&lt;name&gt;-password</c>) unless <c>Parameters:&lt;name&gt;-password</c> is set.
    /// </remarks>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, int port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var password = builder.AddParameter($"{name}-password", new GeneratedParameterDefault { KeptByCluster = true });
        return builder.AddResource(new PostgresServerResource(name, password.Resource))
            .WithEndpoint(port, PostgresServerResource.DefaultTargetPort, PostgresServerResource.EndpointName)
            .WithAnnotation(PostgresResourceKinds.Server);
    }

    /// <summary>Adds a database owned by a login role of its own (<c>&lt;databaseName&gt;_owner</c>).</summary>
    /// <param name="builder">The server.</param>
    /// <param name="name">The resource name, used by references (<c>ConnectionStrings__&lt;name&gt;</c>).</param>
    /// <param name="databaseName">The database name in PostgreSQL; defaults to <paramref name="name"/>.</param>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var server = builder.Resource;
        var dbName = databaseName ?? name;
        PostgresIdentifiers.ThrowIfInvalidDatabaseName(dbName);
        if (server.Databases.Any(d => d.DatabaseName == dbName))
        {
            throw new DistributedApplicationException(
                $"Server '{server.Name}' already declares database '{dbName}'. Each database is declared once; reference the existing resource instead.");
        }

        var password = builder.ApplicationBuilder.AddParameter($"{name}-owner-password", new GeneratedParameterDefault());
        var database = new PostgresDatabaseResource(name, dbName, server, password.Resource);
        server.AddDatabase(database);
        return builder.ApplicationBuilder.AddResource(database).WithAnnotation(PostgresResourceKinds.Database);
    }

    /// <summary>
    /// Declares <paramref name="owner"/> one of the database's owners: the programs allowed its owner credentials. Once a database
    /// declares owners, <c>Build()</c> refuses any other program that references it or is given a value built from its connection.
    /// </summary>
    /// <param name="builder">The database.</param>
    /// <param name="owner">A program of the application that uses this database.</param>
    public static IResourceBuilder<PostgresDatabaseResource> WithOwner(this IResourceBuilder<PostgresDatabaseResource> builder, IResourceBuilder<IResource> owner)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(owner);
        return builder.WithAnnotation(new DatabaseOwnerAnnotation(owner.Resource));
    }

    /// <summary>
    /// Declares <paramref name="migrator"/> the database's migration system, and so one of its owners. <c>Build()</c> refuses a
    /// database with two migration systems.
    /// </summary>
    /// <remarks>
    /// Splits the database's roles: <paramref name="migrator"/> is given the owner (the migrator, <c>&lt;database&gt;_owner</c>) through
    /// <c>WithReference</c>, every other consumer the runtime role (<c>&lt;database&gt;_user</c>, password parameter
    /// <c>&lt;name&gt;-runtime-password</c>), and a schema firewall in the database refuses DDL from any role but the migrator.
    /// </remarks>
    /// <param name="builder">The database.</param>
    /// <param name="migrator">The program that changes the database's schema (e.g. the migration runner).</param>
    /// <param name="system">What kind of migrations it runs, shown in messages; defaults to the resource's name.</param>
    public static IResourceBuilder<PostgresDatabaseResource> WithMigrations(this IResourceBuilder<PostgresDatabaseResource> builder, IResourceBuilder<IResource> migrator, string? system = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(migrator);
        var database = builder.Resource;

        // The runtime role every other consumer gets; its password is generated once and kept with the stack's other secrets.
        database.RuntimePassword ??= builder.ApplicationBuilder.AddParameter($"{database.Name}-runtime-password", new GeneratedParameterDefault()).Resource;
        return builder.WithAnnotation(new DatabaseMigrationsAnnotation(migrator.Resource, system ?? $"migrations run by '{migrator.Resource.Name}'"));
    }
}
