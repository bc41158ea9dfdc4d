using System.Security.Cryptography;
using System.Text;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// The runtime role's grants and the schema firewall of a database that declares its migration system, as SQL the superuser runs in
/// that database. The firewall is an event trigger on <c>ddl_command_start</c> that refuses DDL (CREATE, ALTER, DROP, GRANT, ...)
/// from every role but the migrator, plus a <c>BEFORE TRUNCATE</c> statement trigger on every table (attached to new tables by an
/// event trigger on <c>ddl_command_end</c>); TRUNCATE is not DDL to event triggers. A superuser session passes only when it says on
/// purpose that it acts as the migration system: <c>SET stackmodel.migration_system = 'on'</c>.
/// </summary>
internal static class SchemaFirewall
{
    /// <summary>The session setting by which a superuser session says it acts as the migration system (reset and provisioning only).</summary>
    public const string MigrationSystemSetting = "stackmodel.migration_system";

    /// <summary>The per-database setting that records which version of <see cref="InstallSql"/> the database holds; a start installs when it differs.</summary>
    public const string MarkerSetting = "stackmodel.firewall";

    /// <summary>The statements, in order, that install or repair the grants and the firewall, and record the marker; idempotent.</summary>
    public static IReadOnlyList<string> InstallSql(PostgresDatabaseResource database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var statements = Statements(database);
        return [.. statements, $"ALTER DATABASE {PostgresIdentifiers.Quote(database.DatabaseName)} SET {MarkerSetting} = '{Digest(statements)}'"];
    }

    /// <summary>
    /// The statements of <see cref="InstallSql"/> without the marker: what a copy of the database made under another name (a test
    /// template) needs inside it. The marker is a setting of the database itself, which a copy does not inherit.
    /// </summary>
    public static IReadOnlyList<string> InDatabaseSql(PostgresDatabaseResource database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return Statements(database);
    }

    /// <summary>The marker value for <paramref name="database"/>: a digest of its install SQL, so a changed firewall is installed again.</summary>
    public static string Marker(PostgresDatabaseResource database) => Digest(Statements(database));

    private static string Digest(IReadOnlyList<string> statements) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n;\n", statements))))[..16];

    private static IReadOnlyList<string> Statements(PostgresDatabaseResource database)
    {

        // Validated identifiers (PostgresIdentifiers): lower-case letters, digits and '_' only, so they need no escaping in literals.
        var migrator = database.OwnerRole;
        var runtime = PostgresIdentifiers.Quote(database.RuntimeRole);
        var name = database.DatabaseName;
        var allowed =
            $"current_user = '{migrator}' OR (current_setting('{MigrationSystemSetting}', true) = 'on' AND EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND rolsuper))";
        var system = (database.Annotations.OfType<DatabaseMigrationsAnnotation>().FirstOrDefault()?.System ?? "its migrations").Replace("%", "%%", StringComparison.Ordinal);
        var howTo =
            $"Only the migration system ({system}, role \"{migrator}\") may change the schema of \"{name}\": add a migration and run it with `dotnet run --project AppHost` " +
            $"(it runs the migrations), or rebuild the database from them with `dotnet run --project AppHost -- reset {name} --recreate`.";
        var hint =
            $"The application and host tools get role \"{database.RuntimeRole}\" (DATABASE_URL), which reads and writes rows; the migrator's credentials are " +
            $"MIGRATIONS_DATABASE_URL in .env.stack. A superuser session that acts as the migration system on purpose runs SET {MigrationSystemSetting} = 'on' first.";
        hint = hint.Replace("'", "''", StringComparison.Ordinal);
        howTo = howTo.Replace("'", "''", StringComparison.Ordinal);

        return
        [
            $"SET {MigrationSystemSetting} = 'on'",
            "SET client_min_messages = warning",

            // The runtime role: rows, not schema. Default privileges cover what later migrations create, without a new grant.
            $"""
            DO $$ DECLARE s name; BEGIN
              FOR s IN SELECT nspname FROM pg_namespace WHERE nspname = 'public' OR nspowner = '{migrator}'::regrole LOOP
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO {runtime}', s);
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {runtime}', s);
                EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {runtime}', s);
              END LOOP;
            END $$
            """,
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{migrator}\" GRANT USAGE ON SCHEMAS TO {runtime}",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{migrator}\" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime}",
            $"ALTER DEFAULT PRIVILEGES FOR ROLE \"{migrator}\" GRANT USAGE, SELECT ON SEQUENCES TO {runtime}",

            // The firewall's functions live in a schema of their own, owned by the superuser; the migrator may use them (new tables' triggers).
            "CREATE SCHEMA IF NOT EXISTS stackmodel",
            "REVOKE ALL ON SCHEMA stackmodel FROM PUBLIC",
            $"GRANT USAGE ON SCHEMA stackmodel TO \"{migrator}\"",
            $"""
            CREATE OR REPLACE FUNCTION stackmodel.schema_firewall() RETURNS event_trigger LANGUAGE plpgsql AS $fw$
            BEGIN
              IF {allowed} THEN RETURN; END IF;
              RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('Role "%s" tried %s in database "%s", refused by the schema firewall. {howTo}', current_user, tg_tag, current_database()),
                HINT = '{hint}';
            END $fw$
            """,
            $"""
            CREATE OR REPLACE FUNCTION stackmodel.refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $tr$
            BEGIN
              IF {allowed} THEN RETURN NULL; END IF;
              RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('Role "%s" tried TRUNCATE on %I.%I in database "%s", refused by the schema firewall. {howTo}', current_user, tg_table_schema, tg_table_name, current_database()),
                HINT = '{hint}';
            END $tr$
            """,
            """
            CREATE OR REPLACE FUNCTION stackmodel.guard_truncate(relation oid) RETURNS void LANGUAGE plpgsql AS $gt$
            BEGIN
              -- A CREATE TABLE reports its table more than once (serial columns, constraints): attach the guard once.
              IF EXISTS (SELECT FROM pg_trigger WHERE tgrelid = relation AND tgname = 'stackmodel_refuse_truncate') THEN RETURN; END IF;
              EXECUTE format('CREATE TRIGGER stackmodel_refuse_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION stackmodel.refuse_truncate()', relation::regclass);
            END $gt$
            """,
            """
            CREATE OR REPLACE FUNCTION stackmodel.guard_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $gt$
            BEGIN
              PERFORM stackmodel.guard_truncate(t.oid)
              FROM (SELECT DISTINCT c.oid FROM pg_event_trigger_ddl_commands() e JOIN pg_class c ON c.oid = e.objid
                    WHERE e.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't') t;
            END $gt$
            """,
            """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'stackmodel_schema_firewall') THEN
                CREATE EVENT TRIGGER stackmodel_schema_firewall ON ddl_command_start EXECUTE FUNCTION stackmodel.schema_firewall();
              END IF;
              IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'stackmodel_guard_tables') THEN
                CREATE EVENT TRIGGER stackmodel_guard_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
                  EXECUTE FUNCTION stackmodel.guard_new_tables();
              END IF;
              -- ALWAYS: also under session_replication_role = replica.
              ALTER EVENT TRIGGER stackmodel_schema_firewall ENABLE ALWAYS;
              ALTER EVENT TRIGGER stackmodel_guard_tables ENABLE ALWAYS;
            END $$
            """,

            // Tables that exist already (a stack created before the firewall) get their TRUNCATE guard now.
            """
            SELECT stackmodel.guard_truncate(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
              AND n.nspname NOT IN ('information_schema', 'stackmodel') AND n.nspname NOT LIKE 'pg\_%'
              AND NOT EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'stackmodel_refuse_truncate')
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            """,
        ];
    }
}
