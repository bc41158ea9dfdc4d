namespace StackModel.Hosting.Postgres;

/// <summary>
/// The statements that bring a server to what the model declares, in one place for both callers: the AppHost runs them over
/// Npgsql on every start (<see cref="PostgresProvisioner"/>), and <c>publish compose</c> writes them into the <c>db-init</c> service's
/// psql script (<see cref="Publishing.DbInitScript"/>), which runs them on every <c>up</c>. Values that differ between the two
/// (passwords, the stack id) are passed as SQL expressions: a quoted literal for the AppHost, a psql variable (<c>:'name'</c>)
/// for the script, so no secret is ever written into the script.
/// </summary>
internal static class ProvisioningSql
{
    /// <summary>No role but the superuser opens the maintenance database.</summary>
    public const string RevokeMaintenanceDatabase = "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC";

    /// <summary>The statements that create <paramref name="database"/>'s owner role (and runtime role, when it has one) or bring them to their current password.</summary>
    /// <param name="database">The database.</param>
    /// <param name="ownerPasswordSql">An SQL expression of the owner's password.</param>
    /// <param name="runtimePasswordSql">An SQL expression of the runtime role's password; used when the database has a runtime role.</param>
    public static IEnumerable<string> Roles(PostgresDatabaseResource database, string ownerPasswordSql, string? runtimePasswordSql)
    {
        ArgumentNullException.ThrowIfNull(database);
        yield return EnsureRole(database.OwnerRole);
        yield return $"ALTER ROLE {PostgresIdentifiers.Quote(database.OwnerRole)} LOGIN PASSWORD {ownerPasswordSql}";
        if (database.HasRuntimeRole)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(runtimePasswordSql);

            // A login role that can do nothing but log in: no superuser, no CREATEDB, no CREATEROLE, whatever it had before.
            yield return EnsureRole(database.RuntimeRole);
            yield return $"ALTER ROLE {PostgresIdentifiers.Quote(database.RuntimeRole)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {runtimePasswordSql}";
        }
    }

    /// <summary>Creates <paramref name="database"/>, owned by its owner role; PostgreSQL runs it outside any transaction, only when the database is missing.</summary>
    public static string CreateDatabase(PostgresDatabaseResource database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return $"CREATE DATABASE {PostgresIdentifiers.Quote(database.DatabaseName)} OWNER {PostgresIdentifiers.Quote(database.OwnerRole)}";
    }

    /// <summary>Marks database <paramref name="databaseName"/> with the stack's id: any role connected there reads it with <c>current_setting('stackmodel.stack_id')</c>.</summary>
    public static string MarkStack(string databaseName, string stackIdSql) =>
        $"ALTER DATABASE {PostgresIdentifiers.Quote(databaseName)} SET stackmodel.stack_id = {stackIdSql}";

    /// <summary>Ownership and <c>CONNECT</c>: revoked from <c>PUBLIC</c>, granted to the owner (and the runtime role) only.</summary>
    public static IEnumerable<string> Grants(PostgresDatabaseResource database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var db = PostgresIdentifiers.Quote(database.DatabaseName);
        var role = PostgresIdentifiers.Quote(database.OwnerRole);
        yield return $"ALTER DATABASE {db} OWNER TO {role}";
        yield return $"REVOKE ALL ON DATABASE {db} FROM PUBLIC";
        yield return $"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}";
        if (database.HasRuntimeRole)
        {
            yield return $"GRANT CONNECT ON DATABASE {db} TO {PostgresIdentifiers.Quote(database.RuntimeRole)}";
        }
    }

    /// <summary>A quoted SQL string literal of <paramref name="value"/>.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    // Role names are validated identifiers (PostgresIdentifiers): lower-case letters, digits and '_' only, safe in a literal.
    private static string EnsureRole(string roleName) =>
        $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{roleName}') THEN CREATE ROLE {PostgresIdentifiers.Quote(roleName)} LOGIN; END IF; END $$";
}
