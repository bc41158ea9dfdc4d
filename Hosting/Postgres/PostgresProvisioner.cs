using Npgsql;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// Brings a running server to what the model declares, on every start and idempotently: for each database a login role that
/// owns it, <c>CONNECT</c> revoked from <c>PUBLIC</c> and granted to its owner only; and the stack's identity marker. A database that
/// declares its migration system also gets its runtime role (<c>CONNECT</c>) and, inside it, the runtime role's grants and the schema
/// firewall (<see cref="SchemaFirewall"/>).
/// A warm start costs two round trips, each one transaction: roles (and which databases exist, with their firewall marker), then
/// ownership, grants, the identity marker and the identity read. Only a missing database adds a <c>CREATE DATABASE</c>, which
/// PostgreSQL runs outside any transaction; only a database whose firewall marker is missing or stale (new, recreated, created before
/// the firewall, or a changed firewall) adds a connection to it that installs the firewall.
/// The statements are <see cref="ProvisioningSql"/>'s and <see cref="SchemaFirewall"/>'s, which <c>publish compose</c> writes into its
/// <c>db-init</c> script too.
/// </summary>
internal static class PostgresProvisioner
{
    /// <summary>
    /// The superuser's data source for waiting and provisioning: not pooled, no type catalogue loaded, and no TLS or GSS
    /// encryption negotiation, which a server the stack started on the loopback interface never offers (asking costs a round
    /// trip and loading GSSAPI).
    /// Building one costs tens of milliseconds of type loading on its first use in a process: build it while the server starts.
    /// </summary>
    public static NpgsqlDataSource CreateAdminDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.Timeout = 2;
        builder.ConnectionStringBuilder.SslMode = SslMode.Disable;
        builder.ConnectionStringBuilder.GssEncryptionMode = GssEncryptionMode.Disable;
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false)); // built-in types only: names, oids, timestamps
        return builder.Build();
    }

    /// <summary>
    /// Connects until the server accepts, and returns that connection, open: the caller provisions over it instead of
    /// paying for another authentication.
    /// </summary>
    public static async Task<NpgsqlConnection> OpenWhenAcceptingAsync(NpgsqlDataSource dataSource, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var deadline = DateTime.UtcNow + timeout;
        var attempts = 0;
        DateTimeOffset? lastRefused = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (serverExited.IsCompleted)
            {
                throw new DistributedApplicationException("The PostgreSQL server exited while starting; its last log lines say why.");
            }

            var connection = dataSource.CreateConnection();
            try
            {
                attempts++;
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (StartupTimeline.IsRecording)
                {
                    if (lastRefused is { } refused)
                    {
                        StartupTimeline.Mark(refused, "readiness: last refused connection attempt");
                    }

                    StartupTimeline.Mark(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"readiness: connection accepted ({(attempts > 1 ? "after refusals" : "first attempt")})"));
                }

                return connection;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new DistributedApplicationException(
                    "PostgreSQL refused the superuser password kept in the state folder (28P01). The cluster was created with another password: " +
                    "restore the state folder's secrets.json, or remove Parameters:<server>-password if you set it after the cluster was created.", ex);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (StartupTimeline.IsRecording)
                {
                    if (lastRefused is null)
                    {
                        StartupTimeline.Mark($"readiness: first connection attempt refused ({ex.GetType().Name})");
                    }

                    lastRefused = DateTimeOffset.UtcNow;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new DistributedApplicationException($"PostgreSQL did not accept connections within {timeout.TotalSeconds:0} s ({ex.Message}).", ex);
                }

                await Task.Delay(15, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Waits until the server accepts a connection as <see cref="OpenWhenAcceptingAsync"/> does, and closes it.</summary>
    public static async Task WaitUntilAcceptingAsync(string connectionString, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var dataSource = CreateAdminDataSource(connectionString);
        await using var connection = await OpenWhenAcceptingAsync(dataSource, serverExited, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ensures every database of <paramref name="databases"/> with its owner role and grants, marks the maintenance database and
    /// those databases with <paramref name="stackId"/>, and returns what the stack record keeps: each database's oid and the
    /// server's identity.
    /// </summary>
    public static async Task<(IReadOnlyList<DatabaseRecord> Databases, ServerIdentity Identity)> ProvisionAsync(
        NpgsqlConnection superUser, string stackId, IReadOnlyList<(PostgresDatabaseResource Database, string OwnerPassword)> databases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(superUser);

        var existing = await EnsureRolesAsync(superUser, databases, cancellationToken).ConfigureAwait(false);
        await CreateDatabasesAsync(superUser, [.. databases.Select(d => d.Database).Where(d => !existing.ContainsKey(d.DatabaseName))], cancellationToken).ConfigureAwait(false);

        await using var batch = new NpgsqlBatch(superUser);
        foreach (var name in databases.Select(d => d.Database.DatabaseName).Prepend("postgres"))
        {
            // A per-database setting: any role connected there reads it with current_setting('stackmodel.stack_id').
            batch.BatchCommands.Add(new(ProvisioningSql.MarkStack(name, ProvisioningSql.Literal(stackId))));
        }

        foreach (var sql in databases.SelectMany(d => ProvisioningSql.Grants(d.Database)))
        {
            batch.BatchCommands.Add(new(sql));
        }

        batch.BatchCommands.Add(new($"SELECT datname, oid::bigint FROM pg_database WHERE datname IN ({NameList(databases)})"));
        batch.BatchCommands.Add(new(ServerIdentity.Sql));

        var oidByName = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            oidByName[reader.GetString(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var identity = await ServerIdentity.ReadRowAsync(reader, cancellationToken).ConfigureAwait(false);
        await reader.DisposeAsync().ConfigureAwait(false);

        foreach (var (database, _) in databases.Where(d => d.Database.HasRuntimeRole && existing.GetValueOrDefault(d.Database.DatabaseName) != SchemaFirewall.Marker(d.Database)))
        {
            await InstallFirewallAsync(superUser, database, cancellationToken).ConfigureAwait(false);
        }

        var records = databases
            .Select(d => new DatabaseRecord(d.Database.Name, d.Database.DatabaseName, d.Database.OwnerRole, oidByName.TryGetValue(d.Database.DatabaseName, out var oid) ? oid : null))
            .ToList();
        return (records, identity);
    }

    /// <summary>
    /// Creates the missing databases at once, each but the first on a superuser connection of its own: <c>CREATE DATABASE</c> copies
    /// the template page by page and is CPU-bound, and PostgreSQL runs each in one backend, so a new cluster's two databases are
    /// created side by side instead of one after the other (a cold start's largest provisioning step).
    /// </summary>
    private static async Task CreateDatabasesAsync(NpgsqlConnection superUser, IReadOnlyList<PostgresDatabaseResource> missing, CancellationToken cancellationToken)
    {
        if (missing.Count == 0)
        {
            return;
        }

        var creations = missing.Skip(1).Select(database => CreateOnOwnConnectionAsync(superUser, database, cancellationToken)).ToList();
        creations.Add(ExecuteAsync(superUser, ProvisioningSql.CreateDatabase(missing[0]), cancellationToken));
        await Task.WhenAll(creations).ConfigureAwait(false);
    }

    private static async Task CreateOnOwnConnectionAsync(NpgsqlConnection superUser, PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        await using var dataSource = CreateAdminDataSource(SuperUserAddress(superUser, database.Server, superUser.Database));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, ProvisioningSql.CreateDatabase(database), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The superuser's address (the same credentials) on <paramref name="databaseName"/>.</summary>
    private static string SuperUserAddress(NpgsqlConnection superUser, PostgresServerResource server, string databaseName) =>
        new NpgsqlConnectionStringBuilder(superUser.ConnectionString)
        {
            Database = databaseName,
            Password = server.SuperUserPassword.Value,
        }.ConnectionString;

    /// <summary>
    /// Connects to <paramref name="database"/> as the superuser (the same credentials, another database) and installs the runtime
    /// role's grants and the schema firewall in one transaction, ending with the marker that spares the next start this connection.
    /// </summary>
    private static async Task InstallFirewallAsync(NpgsqlConnection superUser, PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        await using var dataSource = CreateAdminDataSource(SuperUserAddress(superUser, database.Server, database.DatabaseName));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in SchemaFirewall.InstallSql(database))
        {
            batch.BatchCommands.Add(new(sql));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates or updates every owner and runtime role (login, current password) in one transaction; returns which databases exist,
    /// each with its firewall marker (null when it has none).
    /// </summary>
    private static async Task<Dictionary<string, string?>> EnsureRolesAsync(
        NpgsqlConnection superUser, IReadOnlyList<(PostgresDatabaseResource Database, string OwnerPassword)> databases, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(superUser);

        // A crash right after this session loses at most what the next start writes again: commits need not wait for the disk.
        batch.BatchCommands.Add(new("SET synchronous_commit = off"));
        batch.BatchCommands.Add(new(ProvisioningSql.RevokeMaintenanceDatabase));
        foreach (var (database, password) in databases)
        {
            var runtimePassword = database.HasRuntimeRole ? ProvisioningSql.Literal(database.RuntimePassword!.Value) : null;
            foreach (var sql in ProvisioningSql.Roles(database, ProvisioningSql.Literal(password), runtimePassword))
            {
                batch.BatchCommands.Add(new(sql));
            }
        }

        batch.BatchCommands.Add(new(
            $"SELECT d.datname, (SELECT substr(c, {SchemaFirewall.MarkerSetting.Length + 2}) FROM unnest(s.setconfig) c WHERE c LIKE '{SchemaFirewall.MarkerSetting}=%') " +
            $"FROM pg_database d LEFT JOIN pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0 WHERE d.datname IN ({NameList(databases)})"));

        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return names;
    }

    // Database names are validated identifiers (PostgresIdentifiers): lower-case letters, digits and '_' only.
    private static string NameList(IReadOnlyList<(PostgresDatabaseResource Database, string OwnerPassword)> databases) =>
        databases.Count == 0 ? "NULL" : string.Join(", ", databases.Select(d => $"'{d.Database.DatabaseName}'"));

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
