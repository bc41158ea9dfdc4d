using Npgsql;

namespace StackModel.Hosting.Postgres;

/// <summary>What a connection can learn about the server and database it reached, as any role.</summary>
/// <param name="Database">current_database().</param>
/// <param name="ServerPort">inet_server_port(): the port the server itself listens on.</param>
/// <param name="SystemIdentifier">pg_control_system().system_identifier.</param>
/// <param name="StackId">The setting stackmodel.stack_id, or <see langword="null"/> on a server the stack did not create.</param>
/// <param name="PostmasterStartTime">pg_postmaster_start_time().</param>
public sealed record ServerIdentity(string Database, int ServerPort, string SystemIdentifier, string? StackId, DateTimeOffset PostmasterStartTime)
{
    internal const string Sql =
        "SELECT current_database(), inet_server_port(), (SELECT system_identifier::text FROM pg_control_system()), " +
        "current_setting('stackmodel.stack_id', true), pg_postmaster_start_time()";

    /// <summary>Reads the identity over an open connection.</summary>
    public static async Task<ServerIdentity> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ServerIdentity(
            reader.GetString(0),
            reader.IsDBNull(1) ? 0 : reader.GetInt32(1),
            reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
            reader.IsDBNull(3) || reader.GetString(3).Length == 0 ? null : reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4));
    }
}
