using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.State;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Reset;

/// <summary>
/// Drops a database and creates it again through the superuser, re-applying its owner role and <c>CONNECT</c> grants
/// (<see cref="PostgresProvisioner"/>) and the stack id, then records its new oid. Both the database (as its owner) and the
/// server (as superuser) are proven against the stack record first.
/// </summary>
internal static class DatabaseRecreation
{
    public static async Task RecreateAsync(PostgresDatabaseResource database, StackStateStore state, StackRecord record, CancellationToken cancellationToken = default)
    {
        var ownerConnection = await database.MigratorConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        await using (var owner = new NpgsqlConnection(ownerConnection))
        {
            await owner.OpenAsync(cancellationToken).ConfigureAwait(false);
            await StackTargetGuard.VerifyAsync(owner, record, database.Name, state.RecordPath, cancellationToken).ConfigureAwait(false);
        }

        var superUserAddress = await database.Server.ConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        var superUserConnection = new NpgsqlConnectionStringBuilder(superUserAddress) { Pooling = false }.ConnectionString;
        await using var superUser = new NpgsqlConnection(superUserConnection);
        await superUser.OpenAsync(cancellationToken).ConfigureAwait(false);
        await StackTargetGuard.VerifyServerAsync(superUser, record, state.RecordPath, cancellationToken).ConfigureAwait(false);
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PostgresIdentifiers.Quote(database.DatabaseName)} WITH (FORCE)", superUser))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        NpgsqlConnection.ClearPool(new NpgsqlConnection(ownerConnection));
        var (created, _) = await PostgresProvisioner.ProvisionAsync(superUser, record.StackId, [(database, database.OwnerPassword.Value)], cancellationToken).ConfigureAwait(false);
        state.WriteRecord(record with
        {
            Databases = [.. record.Databases.Select(d => string.Equals(d.Resource, database.Name, StringComparison.Ordinal) ? created[0] : d)],
        });
    }
}
