using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackModel.MigrationRunner.Logging;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.MigrationRunner.Database;

/// <summary>
/// Proves the target before anything is changed. Under the AppHost, the stack-record guard checks <c>current_database()</c>,
/// <c>inet_server_port()</c>, the database's oid and owner and the cluster's identity against <c>stack.json</c> — the stack's own
/// record, not the connection string that chose the server. Standalone, <c>Migrations:ExpectedDatabase</c> and
/// <c>Migrations:ExpectedServerPort</c> give the expectation.
/// </summary>
internal sealed class TargetVerifier(MigrationTarget expected, StackGuardTarget stackGuard, ILogger logger)
{
    private const string Sql = "SELECT current_database(), inet_server_port(), current_user";

    /// <summary>Throws <see cref="MigrationException"/> (<see cref="MigrationExitCode.TargetMismatch"/>) when the connection reached another target.</summary>
    public async Task VerifyAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string database;
        int? port;
        string role;
        await using (var command = new NpgsqlCommand(Sql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            database = reader.GetString(0);
            port = reader.IsDBNull(1) ? null : reader.GetInt32(1);
            role = reader.GetString(2);
        }

        var actualPort = port?.ToString(CultureInfo.InvariantCulture) ?? "none (unix socket)";
        if (StackTargetGuard.IsConfigured(stackGuard.Configuration))
        {
            try
            {
                await StackTargetGuard.VerifyAsync(connection, stackGuard.Configuration, stackGuard.ConnectionName, cancellationToken);
            }
            catch (StackGuardException ex)
            {
                throw new MigrationException(MigrationExitCode.TargetMismatch, "Refusing to migrate. " + ex.Message, ex);
            }
        }
        else if (!expected.IsSpecified)
        {
            logger.TargetNotVerified(database, actualPort);
            return;
        }

        var databaseMatches = expected.Database is null || string.Equals(expected.Database, database, StringComparison.Ordinal);
        var portMatches = expected.ServerPort is null || expected.ServerPort == port;
        if (expected.Role is not null && !string.Equals(expected.Role, role, StringComparison.Ordinal))
        {
            throw new MigrationException(
                MigrationExitCode.TargetMismatch,
                $"Refusing to migrate: the connection logged in as role \"{role}\", but the stack expects its migrator role \"{expected.Role}\" (Migrations:ExpectedRole). " +
                "Nothing was changed. Fix: the connection string carries another role's credentials; use the migrator's (MIGRATIONS_DATABASE_URL, or the compose file's ConnectionStrings).");
        }

        if (!databaseMatches || !portMatches)
        {
            throw new MigrationException(
                MigrationExitCode.TargetMismatch,
                $"Refusing to migrate: the connection reached database \"{database}\" on server port {actualPort}, " +
                $"but the stack expects database \"{expected.Database ?? database}\" on server port {expected.ServerPort?.ToString(CultureInfo.InvariantCulture) ?? actualPort} " +
                "(Migrations:ExpectedDatabase / Migrations:ExpectedServerPort). Nothing was changed. " +
                "Fix: the connection string points at another database or server; derive it from the AppHost model instead of a hand-written value.");
        }

        logger.TargetVerified(database, actualPort);
        if (!StackTargetGuard.IsConfigured(stackGuard.Configuration))
        {
            logger.ClusterIdentityNotVerified(role);
        }
    }
}
