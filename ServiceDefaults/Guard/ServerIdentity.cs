using Npgsql;

namespace StackModel.ServiceDefaults.Guard;

/// <summary>What a connection can learn about the server, cluster and database it reached, as any role.</summary>
/// <param name="Database">current_database().</param>
/// <param name="ServerPort">inet_server_port(): the port the server itself listens on (0 over a Unix socket).</param>
/// <param name="SystemIdentifier">pg_control_system().system_identifier: the cluster's, kept by copies of its data folder.</param>
/// <param name="StackId">The setting <c>stackmodel.stack_id</c>, or <see langword="null"/> on a server the stack did not create.</param>
/// <param name="PostmasterStartTime">pg_postmaster_start_time(): differs for every start, so a copy started elsewhere is told apart.</param>
/// <param name="DatabaseOwner">The role that owns the current database.</param>
/// <param name="DatabaseOid">The current database's oid.</param>
public sealed record ServerIdentity(
    string Database,
    int ServerPort,
    string SystemIdentifier,
    string? StackId,
    DateTimeOffset PostmasterStartTime,
    string DatabaseOwner,
    long DatabaseOid)
{
    /// <summary>The query <see cref="ReadAsync"/> runs; every part is readable by any role that can connect.</summary>
    public const string Sql =
        "SELECT current_database(), inet_server_port(), (SELECT system_identifier::text FROM pg_control_system()), " +
        "current_setting('stackmodel.stack_id', true), pg_postmaster_start_time(), " +
        "(SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()), " +
        "(SELECT oid::bigint FROM pg_database WHERE datname = current_database())";

    /// <summary>Reads the identity over an open connection (inside its transaction, when one is open).</summary>
    public static async Task<ServerIdentity> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadRowAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the identity from a reader positioned on the result of <see cref="Sql"/> (one statement of a batch, say).</summary>
    internal static async Task<ServerIdentity> ReadRowAsync(NpgsqlDataReader reader, CancellationToken cancellationToken = default)
    {
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ServerIdentity(
            reader.GetString(0),
            reader.IsDBNull(1) ? 0 : reader.GetInt32(1),
            reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
            reader.IsDBNull(3) || reader.GetString(3).Length == 0 ? null : reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? string.Empty : reader.GetString(5),
            reader.IsDBNull(6) ? 0 : reader.GetInt64(6));
    }
}
