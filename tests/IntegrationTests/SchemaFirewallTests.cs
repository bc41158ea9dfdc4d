using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Export;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Reset;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Only the migration system can change app_dev's schema, and PostgreSQL itself says no: the runtime role every consumer and host tool
/// gets reads and writes rows, and the schema firewall refuses its DDL, a superuser's without the migration-system setting, and TRUNCATE.
/// </summary>
public class SchemaFirewallTests
{
    [RequiresPostgresFact]
    public async Task The_runtime_role_reads_and_writes_rows_and_is_refused_every_schema_change_with_the_fix()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var runtime = await app.GetConnectionStringAsync("app_dev", ct);
        Assert.Equal("app_dev_user", new NpgsqlConnectionStringBuilder(runtime).Username);

        // Tables created by the migrations (after provisioning) are usable without a new grant: default privileges.
        await Sql.ExecuteAsync(runtime, "INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com'); UPDATE users SET display_name = 'A' WHERE email = 'a@example.com'; DELETE FROM users WHERE email = 'b@example.com'", ct);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));

        foreach (var (sql, tag) in new[]
        {
            ("DROP TABLE users CASCADE", "DROP TABLE"),
            ("ALTER TABLE users ADD COLUMN nickname text", "ALTER TABLE"),
            ("CREATE TABLE scratch (id int)", "CREATE TABLE"),
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, sql, ct));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
            Assert.Contains($"Role \"app_dev_user\" tried {tag} in database \"app_dev\", refused by the schema firewall.", error.MessageText, StringComparison.Ordinal);
            Assert.Contains("Only the migration system (Drizzle migrations, role \"app_dev_owner\") may change the schema of \"app_dev\"", error.MessageText, StringComparison.Ordinal);
            Assert.Contains("`dotnet run --project AppHost`", error.MessageText, StringComparison.Ordinal);
            Assert.Contains("reset app_dev --recreate", error.MessageText, StringComparison.Ordinal);
        }

        // TRUNCATE is not DDL to event triggers: the runtime role simply lacks the privilege.
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, "TRUNCATE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, truncate.SqlState);
        Assert.Contains("permission denied for table users", truncate.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));
    }

    [RequiresPostgresFact]
    public async Task The_migrator_changes_the_schema_and_a_table_it_creates_is_usable_by_the_runtime_role_without_a_new_grant()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var migrator = await app.GetMigratorConnectionStringAsync("app_dev", ct);
        var runtime = await app.GetConnectionStringAsync("app_dev", ct);

        // The runner applied the repository's migrations as the migrator, which owns what they created.
        Assert.True(await Sql.ScalarAsync<long>(migrator, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct) >= 2);
        Assert.Equal("app_dev_owner", await Sql.ScalarAsync<string>(migrator, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'users'", ct));

        await Sql.ExecuteAsync(migrator, "CREATE SCHEMA billing_extra; CREATE TABLE billing_extra.invoices (id bigserial PRIMARY KEY, total int NOT NULL); ALTER TABLE users ADD COLUMN nickname text; " +
            "CREATE TABLE events (id bigserial, at int NOT NULL) PARTITION BY RANGE (at); CREATE TABLE events_0 PARTITION OF events FOR VALUES FROM (0) TO (100)", ct);
        await Sql.ExecuteAsync(runtime, "INSERT INTO events (at) VALUES (1)", ct);
        await Sql.ExecuteAsync(runtime, "INSERT INTO billing_extra.invoices (total) VALUES (10), (20); UPDATE users SET nickname = 'n'", ct);
        Assert.Equal(30L, await Sql.ScalarAsync<long>(runtime, "SELECT sum(total)::bigint FROM billing_extra.invoices", ct));

        // The new table got its TRUNCATE guard, and the runtime role still cannot empty or drop it.
        Assert.Equal(1L, await Sql.ScalarAsync<long>(migrator, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'billing_extra.invoices'::regclass AND tgname = 'stackmodel_refuse_truncate'", ct));
        var drop = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, "DROP TABLE billing_extra.invoices", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, drop.SqlState);
    }

    [RequiresPostgresFact]
    public async Task A_superuser_session_is_refused_DDL_and_TRUNCATE_unless_it_says_it_acts_as_the_migration_system()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var runtime = await app.GetConnectionStringAsync("app_dev", ct);
        await Sql.ExecuteAsync(runtime, "INSERT INTO users (email) VALUES ('kept@example.com')", ct);
        var superUser = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync("postgres", ct)) { Database = "app_dev" }.ConnectionString;

        var drop = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(superUser, "DROP TABLE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, drop.SqlState);
        Assert.Contains("Role \"postgres\" tried DROP TABLE in database \"app_dev\", refused by the schema firewall.", drop.MessageText, StringComparison.Ordinal);
        Assert.Contains("SET stackmodel.migration_system = 'on'", drop.Hint, StringComparison.Ordinal);

        var truncate = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(superUser, "TRUNCATE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, truncate.SqlState);
        Assert.Contains("Role \"postgres\" tried TRUNCATE on public.users in database \"app_dev\", refused by the schema firewall.", truncate.MessageText, StringComparison.Ordinal);

        // Replica mode does not switch the firewall off (ENABLE ALWAYS).
        await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(superUser, "SET session_replication_role = replica; DROP TABLE users CASCADE", ct));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));

        // On purpose, as the migration system: allowed.
        await Sql.ExecuteAsync(superUser, "SET stackmodel.migration_system = 'on'; CREATE TABLE scratch (id int); DROP TABLE scratch", ct);

        // The setting means nothing for a role that is not a superuser.
        var impostor = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, "SET stackmodel.migration_system = 'on'; DROP TABLE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, impostor.SqlState);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));
    }

    [RequiresPostgresFact]
    public async Task Reset_and_reset_recreate_still_work_and_the_firewall_survives_the_recreate()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var runtime = await app.GetConnectionStringAsync("app_dev", ct);
        await Sql.ExecuteAsync(runtime, "INSERT INTO users (email) VALUES ('a@example.com')", ct);

        var reset = await app.ResetDatabaseAsync("app_dev", ct);
        Assert.Contains("public.users", reset.TruncatedTables);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));

        var log = new List<string>();
        var recreated = await StackDatabaseReset.ResetAsync(app, StackDatabaseReset.FindDatabase(app.Model, "app_dev"), recreate: true, (line, _) => log.Add(line), ct);
        Assert.Equal("migrations", recreated.MigrationRunner);
        NpgsqlConnection.ClearAllPools();
        await Sql.ExecuteAsync(runtime, "INSERT INTO users (email) VALUES ('b@example.com')", ct);
        var drop = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, "DROP TABLE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, drop.SqlState);
        Assert.Contains("refused by the schema firewall", drop.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM users", ct));
    }

    [RequiresPostgresFact]
    public async Task The_incident_once_more_a_push_style_script_with_the_exported_DATABASE_URL_is_refused_and_every_row_survives()
    {
        var ct = TestStack.Timeout();
        await using var app = await StartStackAsync(ct);
        var exported = (await EnvExporter.RenderAsync(app.Model, NetworkContext.Host, ct)).ToDictionary(v => v.Name, v => v.Value);
        Assert.StartsWith("postgresql://app_dev_user:", exported["DATABASE_URL"], StringComparison.Ordinal);
        Assert.StartsWith("postgresql://app_dev_owner:", exported["MIGRATIONS_DATABASE_URL"], StringComparison.Ordinal);
        Assert.Equal("app_dev_user", exported["DB_USER"]);
        Assert.Equal("app_dev_owner", exported["MIGRATIONS_DB_USER"]);

        var url = new Uri(exported["DATABASE_URL"]);
        var userInfo = url.UserInfo.Split(':');
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Database = url.AbsolutePath.Trim('/'),
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = Uri.UnescapeDataString(userInfo[1]),
        }.ConnectionString;
        await Sql.ExecuteAsync(connection, "INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 40) g", ct);

        // What drizzle-kit push does when it decides a table must be rebuilt: drop it and create it again, in one transaction.
        var push = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(connection,
            """
            BEGIN;
            DROP TABLE "users" CASCADE;
            CREATE TABLE "users" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL, "email" text NOT NULL);
            COMMIT;
            """, ct));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, push.SqlState);
        Assert.Contains("Role \"app_dev_user\" tried DROP TABLE", push.MessageText, StringComparison.Ordinal);
        Assert.Equal(40L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM users", ct));
    }

    [RequiresPostgresFact]
    public async Task A_stack_created_before_the_firewall_upgrades_in_place_and_keeps_its_rows()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var args = new[] { $"--Stack:StateDirectory={state.Path}" };
        await using (var before = DistributedApplicationTestingBuilder.Create(args))
        {
            // Before: no migration system declared, so app_dev is provisioned as every database was before the firewall: owner only.
            before.AddPostgres("postgres", port: 1).AddDatabase("app_dev");
            await using var app = await before.BuildAsync(ct);
            await app.StartAsync(ct);
            await app.WaitForResourceHealthyAsync("app_dev", ct);
            var owner = await app.GetConnectionStringAsync("app_dev", ct);
            Assert.Equal("app_dev_owner", new NpgsqlConnectionStringBuilder(owner).Username);
            await Sql.ExecuteAsync(owner, "CREATE SCHEMA app; CREATE TABLE app.notes (id serial PRIMARY KEY, body text); INSERT INTO app.notes (body) SELECT 'n' || g FROM generate_series(1, 30) g", ct);
        }

        // After: the same state folder, now with a migration system; the owner becomes the migrator.
        await using var after = DistributedApplicationTestingBuilder.Create(args);
        var appDb = after.AddPostgres("postgres", port: 1).AddDatabase("app_dev");
        var runner = after.AddProject<Projects.MigrationRunner>("migrations")
            .WithReference(appDb)
            .WithEnvironment("Migrations__Path", Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.MigrationRunner().ProjectPath)!, "..", "db", "migrations")))
            .WaitFor(appDb);
        appDb.WithMigrations(runner, "Drizzle migrations");
        await using var upgraded = await after.BuildAsync(ct);
        await upgraded.StartAsync(ct);
        await upgraded.WaitForResourceAsync("migrations", ResourceState.Finished, ct);

        var runtime = await upgraded.GetConnectionStringAsync("app_dev", ct);
        var migrator = await upgraded.GetMigratorConnectionStringAsync("app_dev", ct);
        Assert.Equal("app_dev_user", new NpgsqlConnectionStringBuilder(runtime).Username);
        Assert.Equal(30L, await Sql.ScalarAsync<long>(runtime, "SELECT count(*) FROM app.notes", ct));
        await Sql.ExecuteAsync(runtime, "INSERT INTO app.notes (body) VALUES ('new')", ct);
        Assert.Equal("app_dev_owner", await Sql.ScalarAsync<string>(runtime, "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()", ct));

        var drop = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(runtime, "DROP TABLE app.notes", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, drop.SqlState);
        var superUser = new NpgsqlConnectionStringBuilder(await upgraded.GetConnectionStringAsync("postgres", ct)) { Database = "app_dev" }.ConnectionString;
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(superUser, "TRUNCATE app.notes", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, truncate.SqlState);
        Assert.Equal(31L, await Sql.ScalarAsync<long>(migrator, "SELECT count(*) FROM app.notes", ct));
        await Sql.ExecuteAsync(migrator, "ALTER TABLE app.notes ADD COLUMN tag text", ct);
    }

    private static async Task<DistributedApplication> StartStackAsync(CancellationToken ct)
    {
        var app = await TestStack.StartAppHostAsync(ct);
        try
        {
            await app.WaitForResourceAsync("migrations", ResourceState.Finished, ct);
            return app;
        }
        catch (InvalidOperationException ex)
        {
            var postgres = string.Join(Environment.NewLine, app.ResourceLogs.GetLines("postgres", 30).Select(l => "  " + l.Text));
            await app.DisposeAsync();
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}postgres:{Environment.NewLine}{postgres}", ex);
        }
    }
}
