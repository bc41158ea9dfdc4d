using System.Text;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Publishing;

/// <summary>
/// The <c>db-init</c> service's psql script: the AppHost's own provisioning (<see cref="ProvisioningSql"/>, <see cref="SchemaFirewall"/>),
/// run on every <c>up</c> as the superuser. Idempotent: roles are created when missing and given the <c>.env</c>'s passwords, databases
/// are created when missing, grants and the firewall are applied again. Passwords and the stack id are psql variables set by
/// <c>db-init.sh</c> from the service's environment, never written here.
/// </summary>
internal static class DbInitScript
{
    /// <summary>Where the scripts are mounted in the db-init container.</summary>
    public const string MountPath = "/stackmodel/db-init";

    /// <summary>The psql variable of <paramref name="variable"/> (an <c>.env</c> name): lower case.</summary>
    public static string PsqlVariableOf(string variable) => variable.ToLowerInvariant();

    /// <summary>The SQL script.</summary>
    /// <param name="header">The generated-file header (SQL comments).</param>
    /// <param name="databases">The server's databases, each with the <c>.env</c> variables of its owner's and runtime role's passwords.</param>
    public static string Sql(string header, IReadOnlyList<(PostgresDatabaseResource Database, string OwnerVariable, string? RuntimeVariable)> databases)
    {
        var sql = new StringBuilder(header);
        sql.Append("\\set ON_ERROR_STOP on\n\\o /dev/null\n\n-- Roles: created when missing, given the .env's passwords on every run.\nBEGIN;\n");
        Statement(sql, ProvisioningSql.RevokeMaintenanceDatabase);
        foreach (var (database, owner, runtime) in databases)
        {
            foreach (var statement in ProvisioningSql.Roles(database, Variable(owner), runtime is null ? null : Variable(runtime)))
            {
                Statement(sql, statement);
            }
        }

        sql.Append("COMMIT;\n\n-- Databases: created when missing (CREATE DATABASE runs outside a transaction).\n");
        foreach (var (database, _, _) in databases)
        {
            sql.Append("SELECT ").Append(ProvisioningSql.Literal(ProvisioningSql.CreateDatabase(database)))
                .Append(" WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ").Append(ProvisioningSql.Literal(database.DatabaseName)).Append(")\n\\gexec\n");
        }

        sql.Append("\n-- Ownership, CONNECT for the owner (and the runtime role) only, the stack's id.\nBEGIN;\n");
        var stackId = Variable(ComposeEnvFile.StackIdVariable);
        foreach (var name in databases.Select(d => d.Database.DatabaseName).Prepend("postgres"))
        {
            Statement(sql, ProvisioningSql.MarkStack(name, stackId));
        }

        foreach (var statement in databases.SelectMany(d => ProvisioningSql.Grants(d.Database)))
        {
            Statement(sql, statement);
        }

        sql.Append("COMMIT;\n");
        foreach (var (database, _, _) in databases.Where(d => d.Database.HasRuntimeRole))
        {
            sql.Append("\n-- ").Append(database.DatabaseName).Append(": the runtime role's grants and the schema firewall (only the migrator changes the schema).\n")
                .Append("\\connect ").Append(database.DatabaseName).Append("\nBEGIN;\n");
            foreach (var statement in SchemaFirewall.InstallSql(database))
            {
                Statement(sql, statement);
            }

            sql.Append("COMMIT;\n");
        }

        sql.Append("\n\\o\n\\echo 'db-init: ").Append(string.Join(", ", databases.Select(d => d.Database.DatabaseName))).Append(" provisioned'\n");
        return sql.ToString();
    }

    /// <summary>The shell script the service runs: psql on the server's stack-network address, the variables from the environment.</summary>
    public static string Shell(string header, string serverHost, int serverPort, IEnumerable<string> variables)
    {
        var shell = new StringBuilder("#!/bin/sh\n").Append(header);
        shell.Append("set -eu\n");
        shell.Append("# PGPASSWORD (the superuser's) comes from the service's environment, as every variable below.\n");
        shell.Append("exec psql -X -q -w -h ").Append(serverHost).Append(" -p ").Append(serverPort).Append(" -U ").Append(PostgresServerResource.SuperUserName)
            .Append(" -d postgres \\\n");
        foreach (var variable in variables)
        {
            shell.Append("  -v ").Append(PsqlVariableOf(variable)).Append("=\"$").Append(variable).Append("\" \\\n");
        }

        shell.Append("  -f ").Append(MountPath).Append("/db-init.sql\n");
        return shell.ToString();
    }

    private static string Variable(string variable) => $":'{PsqlVariableOf(variable)}'";

    private static void Statement(StringBuilder sql, string statement) => sql.Append(statement.TrimEnd()).Append(";\n");
}
