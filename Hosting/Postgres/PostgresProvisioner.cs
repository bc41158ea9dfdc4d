using Npgsql;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// Brings a running server to what the model declares, on every start and idempotently: for each database a login role that
/// owns it, <c>CONNECT</c> revoked from <c>PUBLIC</c> and granted to its owner only; and the stack's identity marker.
/// </summary>
internal static class PostgresProvisioner
{
    public static async Task WaitUntilAcceptingAsync(string connectionString, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 2 };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (serverExited.IsCompleted)
            {
                throw new DistributedApplicationException("The PostgreSQL server exited while starting; its last log lines say why.");
            }

            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new DistributedApplicationException(
                    "PostgreSQL refused the superuser password kept in the state folder (28P01). The cluster was created with another password: " +
                    "restore the state folder's secrets.json, or remove Parameters:<server>-password if you set it after the cluster was created.", ex);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new DistributedApplicationException($"PostgreSQL did not accept connections within {timeout.TotalSeconds:0} s ({ex.Message}).", ex);
                }

                await Task.Delay(15, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async Task<IReadOnlyList<DatabaseRecord>> EnsureDatabasesAsync(
        NpgsqlDataSource superUser, IEnumerable<(PostgresDatabaseResource Database, string OwnerPassword)> databases, CancellationToken cancellationToken = default)
    {
        var records = new List<DatabaseRecord>();
        await using var connection = await superUser.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC", cancellationToken).ConfigureAwait(false);
        foreach (var (database, password) in databases)
        {
            var role = PostgresIdentifiers.Quote(database.OwnerRole);
            var db = PostgresIdentifiers.Quote(database.DatabaseName);
            var literal = "'" + password.Replace("'", "''", StringComparison.Ordinal) + "'";
            await ExecuteAsync(connection,
                $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{database.OwnerRole}') THEN CREATE ROLE {role} LOGIN PASSWORD {literal}; " +
                $"ELSE ALTER ROLE {role} LOGIN PASSWORD {literal}; END IF; END $$", cancellationToken).ConfigureAwait(false);

            if (await DatabaseOidAsync(connection, database.DatabaseName, cancellationToken).ConfigureAwait(false) is null)
            {
                await ExecuteAsync(connection, $"CREATE DATABASE {db} OWNER {role}", cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection,
                $"ALTER DATABASE {db} OWNER TO {role}; REVOKE ALL ON DATABASE {db} FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
                cancellationToken).ConfigureAwait(false);
            var oid = await DatabaseOidAsync(connection, database.DatabaseName, cancellationToken).ConfigureAwait(false);
            records.Add(new DatabaseRecord(database.Name, database.DatabaseName, database.OwnerRole, oid));
        }

        return records;
    }

    /// <summary>
    /// Stores the stack id inside the cluster, as a per-database setting of the maintenance database and every declared database,
    /// so any role connected to them reads it with <c>current_setting('stackmodel.stack_id')</c>.
    /// </summary>
    public static async Task<ServerIdentity> EnsureIdentityAsync(NpgsqlDataSource superUser, string stackId, IEnumerable<string> databaseNames, CancellationToken cancellationToken = default)
    {
        await using (var connection = await superUser.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var name in databaseNames.Prepend("postgres"))
            {
                await ExecuteAsync(connection, $"ALTER DATABASE {PostgresIdentifiers.Quote(name)} SET stackmodel.stack_id = '{stackId}'", cancellationToken).ConfigureAwait(false);
            }
        }

        await using var fresh = await superUser.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ServerIdentity.ReadAsync(fresh, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long?> DatabaseOidAsync(NpgsqlConnection connection, string databaseName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT oid::bigint FROM pg_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(databaseName);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
