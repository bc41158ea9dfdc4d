using System.Text.Json.Nodes;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes.Process;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.IntegrationTests;

/// <summary>
/// Per-test databases (<see cref="TestDatabaseExtensions.CreateTestDatabaseAsync"/>) on one test stack of the real AppHost: each a migrated,
/// empty, isolated copy of app_dev cloned from a template the real migration runner built; the template built once however many builders
/// race; changed migrations get a new one; what a killed run leaves is dropped by the next, and nothing else; the guard knows the clones.
/// </summary>
public class TestDatabaseTests(TestDatabaseTests.Stack stack) : IClassFixture<TestDatabaseTests.Stack>
{
    private static readonly string MigrationsFolder =
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.MigrationRunner().ProjectPath)!, "..", "db", "migrations"));

    [RequiresPostgresFact]
    public async Task Each_test_database_is_an_empty_migrated_copy_of_app_dev_with_its_roles_isolation_and_schema_firewall()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        await using var first = await app.CreateTestDatabaseAsync("app_dev", ct);
        await using var second = await app.CreateTestDatabaseAsync("app_dev", ct);
        Assert.NotEqual(first.DatabaseName, second.DatabaseName);
        Assert.StartsWith("app_dev_t", first.DatabaseName, StringComparison.Ordinal);
        Assert.StartsWith("app_dev_tpl_", first.TemplateName, StringComparison.Ordinal);

        // The runtime role, as the app gets for app_dev; every migration applied, no rows.
        var runtime = new NpgsqlConnectionStringBuilder(first.ConnectionString);
        Assert.Equal("app_dev_user", runtime.Username);
        Assert.Equal(first.DatabaseName, runtime.Database);
        Assert.Equal("app_dev_owner", new NpgsqlConnectionStringBuilder(first.MigratorConnectionString).Username);
        var migrations = Directory.GetFiles(MigrationsFolder, "*.sql").Length;
        Assert.Equal((long)migrations, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM users", ct));
        Assert.Equal(4L, await Sql.ScalarAsync<long>(first.ConnectionString,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('users', 'billing_accounts', 'credit_ledger', 'virtual_keys')", ct));

        // Rows are the test's own.
        await using (var command = first.DataSource.CreateCommand("INSERT INTO users (email) VALUES ('ada@example.com')"))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        Assert.Equal(1L, await Sql.ScalarAsync<long>(first.ConnectionString, "SELECT count(*) FROM users", ct));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(second.ConnectionString, "SELECT count(*) FROM users", ct));

        // The schema firewall came along with the copy: the runtime role is refused DDL and TRUNCATE, the migrator is not.
        Assert.Equal(2L, await Sql.ScalarAsync<long>(first.MigratorConnectionString,
            "SELECT count(*) FROM pg_event_trigger WHERE evtname IN ('stackmodel_schema_firewall', 'stackmodel_guard_tables') AND evtenabled = 'A'", ct));
        var ddl = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(first.ConnectionString, "DROP TABLE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, ddl.SqlState);
        Assert.Contains($"Role \"app_dev_user\" tried DROP TABLE in database \"{first.DatabaseName}\", refused by the schema firewall.", ddl.MessageText, StringComparison.Ordinal);
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(first.ConnectionString, "TRUNCATE users CASCADE", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, truncate.SqlState);
        await Sql.ExecuteAsync(first.MigratorConnectionString, "CREATE TABLE scratch (id int)", ct);
        await Sql.ExecuteAsync(first.ConnectionString, "INSERT INTO scratch VALUES (1)", ct); // default privileges came along too

        // LiteLLM's role cannot open it (CONNECT revoked from PUBLIC), as it cannot open app_dev.
        var litellm = new NpgsqlConnectionStringBuilder(await app.GetMigratorConnectionStringAsync("litellm_dev", ct)) { Database = first.DatabaseName };
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(litellm.ConnectionString, "SELECT 1", ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);

        // A test cluster runs without durability, and its log says so.
        Assert.Equal("off", await Sql.ScalarAsync<string>(await app.GetConnectionStringAsync("postgres", ct), "SHOW fsync", ct));
        Assert.Contains(app.ResourceLogs.GetLines("postgres"), l => l.Text.Contains("fsync=off, synchronous_commit=off, full_page_writes=off", StringComparison.Ordinal));

        // A server process per test database: the test cluster's postgres resolves its symbols once, in the postmaster (LD_BIND_NOW), and
        // does not log the checkpoints PostgreSQL 15 makes for every CREATE and DROP DATABASE.
        Assert.Equal("off", await Sql.ScalarAsync<string>(await app.GetConnectionStringAsync("postgres", ct), "SHOW log_checkpoints", ct));
        var postmaster = File.ReadLines(Path.Combine(await Sql.ScalarAsync<string>(await app.GetConnectionStringAsync("postgres", ct), "SHOW data_directory", ct), "postmaster.pid")).First();
        Assert.Contains("LD_BIND_NOW=1", File.ReadAllText($"/proc/{postmaster}/environ").Split('\0'));
        Assert.Contains(app.ResourceLogs.GetLines("postgres"), l => l.Text.Contains("LD_BIND_NOW=1 and log_checkpoints=off", StringComparison.Ordinal));

        // Its data lives in RAM (/dev/shm) when there is room there, else in the temporary folder, and its log says where.
        var dataDirectory = await Sql.ScalarAsync<string>(await app.GetConnectionStringAsync("postgres", ct), "SHOW data_directory", ct);
        Assert.Equal(TestClusterStorage.Choose().InRam, dataDirectory.StartsWith(TestClusterStorage.SharedMemory + "/", StringComparison.Ordinal));
        Assert.Contains(app.ResourceLogs.GetLines("postgres"), l => l.Text.StartsWith("A test cluster: its data lives", StringComparison.Ordinal) && l.Text.Contains(dataDirectory, StringComparison.Ordinal));

        // Disposed: dropped.
        var name = first.DatabaseName;
        await first.DisposeAsync();
        await WaitUntilAsync(async () => !await ExistsAsync(app, name, ct), ct);
    }

    [RequiresPostgresFact]
    public async Task The_guard_resets_a_test_database_and_refuses_an_impostor_with_its_name()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        await using var db = await app.CreateTestDatabaseAsync("app_dev", ct);
        await Sql.ExecuteAsync(db.ConnectionString, "INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')", ct);

        var result = await app.ResetDatabaseAsync(db, ct);
        Assert.Contains("public.users", result.TruncatedTables);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM users", ct));
        Assert.True(await Sql.ScalarAsync<long>(db.ConnectionString, "SELECT count(*) FROM drizzle.__drizzle_migrations", ct) > 0);

        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync(ct);
            var identity = await db.VerifyTargetAsync(connection, ct);
            Assert.Equal(db.DatabaseName, identity.Database);
        }

        // A connection to app_dev is not this test's database.
        await using (var wrong = new NpgsqlConnection(await app.GetConnectionStringAsync("app_dev", ct)))
        {
            await wrong.OpenAsync(ct);
            var mismatch = await Assert.ThrowsAsync<TargetMismatchException>(() => db.VerifyTargetAsync(wrong, ct));
            Assert.Contains("database", mismatch.MismatchedFields);
        }

        // An impostor: the clone dropped and a database of the same name created behind the stack's back (another oid), with rows.
        var superUser = await app.GetConnectionStringAsync("postgres", ct);
        await Sql.ExecuteAsync(superUser, $"DROP DATABASE \"{db.DatabaseName}\" WITH (FORCE)", ct);
        await Sql.ExecuteAsync(superUser, $"CREATE DATABASE \"{db.DatabaseName}\" OWNER app_dev_owner TEMPLATE \"{db.TemplateName}\"", ct);
        NpgsqlConnection.ClearAllPools();
        await Sql.ExecuteAsync(db.MigratorConnectionString, "INSERT INTO users (email) VALUES ('kept@example.com')", ct);
        var refused = await Assert.ThrowsAsync<TargetMismatchException>(() => db.ResetAsync(ct));
        Assert.Contains("database oid", refused.MismatchedFields);
        Assert.Contains("Nothing was changed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db.MigratorConnectionString, "SELECT count(*) FROM users", ct));

        // app_dev's own reset is unchanged.
        await app.ResetDatabaseAsync("app_dev", ct);
    }

    [RequiresPostgresFact]
    public async Task Builders_racing_for_the_same_template_build_it_once_and_none_sees_it_half_built()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        var database = Database(app);
        using var folder = CopyMigrations();
        AddMigration(folder.Path, "0002_race", "CREATE TABLE \"race\" (\"id\" integer PRIMARY KEY);");
        var source = await TestDatabaseTemplate.DescribeAsync(database, folder.Path, ct);
        var superUser = await app.GetConnectionStringAsync("postgres", ct);
        var log = new List<string>();

        // Three builders, each with sessions of its own (the lock is PostgreSQL's, per session: as three processes would be).
        var builders = Enumerable.Range(0, 3).Select(async _ =>
        {
            await using var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(superUser) { Database = "postgres", Pooling = false }.ConnectionString);
            var built = await TestDatabaseTemplate.EnsureAsync(admin, database, source, app.State.RecordPath, (line, _) => { lock (log) { log.Add(line); } }, ct);
            var ready = await Sql.ScalarAsync<bool>(superUser, $"SELECT datistemplate AND NOT datallowconn FROM pg_database WHERE datname = '{TestDatabaseTemplate.NameFor(database, source.Key)}'", ct);
            return (built, ready);
        }).ToList();
        var results = await Task.WhenAll(builders);

        Assert.Equal(1, results.Count(r => r.built));
        Assert.All(results, r => Assert.True(r.ready));
        Assert.Single(log, l => l.StartsWith("Built the test template", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("Applying 0002_race", StringComparison.Ordinal) && l.Contains("[test template]", StringComparison.Ordinal));
        Assert.False(await ExistsAsync(app, TestDatabaseTemplate.BuildNameFor(database, source.Key), ct));
    }

    [RequiresPostgresFact]
    public async Task Changed_migrations_get_a_new_template_and_unchanged_ones_reuse_the_built_one()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        var database = Database(app);
        using var folder = CopyMigrations();
        AddMigration(folder.Path, "0002_before", "CREATE TABLE \"before\" (\"id\" integer PRIMARY KEY);");

        await using var first = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct, folder.Path);
        await using var again = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct, folder.Path);
        Assert.True(first.BuiltTemplate);
        Assert.False(again.BuiltTemplate);
        Assert.Equal(first.TemplateName, again.TemplateName);

        AddMigration(folder.Path, "0003_notes", "CREATE TABLE \"notes\" (\"id\" integer PRIMARY KEY, \"body\" text NOT NULL);");
        await using var changed = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct, folder.Path);
        Assert.True(changed.BuiltTemplate);
        Assert.NotEqual(first.TemplateName, changed.TemplateName);

        await using var old = await first.CreateAsync(ct);
        await using var current = await changed.CreateAsync(ct);
        const string notes = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'notes'";
        Assert.Equal(0L, await Sql.ScalarAsync<long>(old.ConnectionString, notes, ct));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(current.ConnectionString, notes, ct));
        await Sql.ExecuteAsync(current.ConnectionString, "INSERT INTO notes VALUES (1, 'hello')", ct);
    }

    [RequiresPostgresFact]
    public async Task What_a_killed_run_left_is_dropped_by_the_next_run_and_nothing_of_a_live_run_or_the_stack()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        var database = Database(app);
        var superUser = await app.GetConnectionStringAsync("postgres", ct);

        // A run that will be killed: a database handed out and never disposed, and a full pool; and, below, a half-built template.
        var killed = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 2 }, ct);
        var handedOut = await killed.CreateAsync(ct);
        await WaitUntilAsync(() => Task.FromResult(killed.Ready == 2), ct);
        var left = await NamesAsync(app, $"app_dev\\_t{killed.Run:x8}\\_%", ct);
        Assert.Equal(3, left.Count);

        // A run that stays alive, and databases that only look alike.
        await using var alive = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct);
        await using var aliveDb = await alive.CreateAsync(ct);
        await Sql.ExecuteAsync(superUser, "CREATE DATABASE app_dev_tests; CREATE DATABASE app_dev_t_notes", ct);
        await Sql.ExecuteAsync(superUser, "CREATE DATABASE app_dev_tplbuild_0123456789ab", ct); // after the live run started: its clean-up would have taken it
        try
        {
            await killed.AbandonAsync(); // its session ends as a killed process's would: no clean-up ran
            foreach (var name in left)
            {
                Assert.True(await ExistsAsync(app, name, ct), $"'{name}' was dropped while its run's session was alive");
            }

            await using var next = await TestDatabaseFactory.CreateAsync(app, database, new TestDatabaseOptions { PoolSize = 0 }, ct);
            foreach (var name in left.Append("app_dev_tplbuild_0123456789ab"))
            {
                Assert.False(await ExistsAsync(app, name, ct), $"'{name}' was left behind");
            }

            foreach (var name in new[] { aliveDb.DatabaseName, "app_dev", "litellm_dev", "app_dev_tests", "app_dev_t_notes", next.TemplateName })
            {
                Assert.True(await ExistsAsync(app, name, ct), $"'{name}' was dropped");
            }

            var report = Assert.Single(app.ResourceLogs.GetLines("app_dev"), l => l.Text.Contains("left by an earlier test run", StringComparison.Ordinal)).Text;
            Assert.All(left.Append("app_dev_tplbuild_0123456789ab"), name => Assert.Contains(name, report, StringComparison.Ordinal));
            Assert.Equal(1L, await Sql.ScalarAsync<long>(aliveDb.ConnectionString, "SELECT 1::bigint", ct));
        }
        finally
        {
            await Sql.ExecuteAsync(superUser, "DROP DATABASE IF EXISTS app_dev_tests; DROP DATABASE IF EXISTS app_dev_t_notes", ct);
            await handedOut.DisposeAsync(); // its factory is gone: nothing more happens
        }
    }

    [RequiresPostgresFact]
    public async Task Pooled_test_databases_get_the_types_loaded_for_an_earlier_clone_and_a_reload_still_asks_the_server()
    {
        var ct = TestStack.Timeout();
        var app = stack.App;
        using var folder = CopyMigrations();
        AddMigration(folder.Path, "0002_moods",
            "CREATE TYPE \"mood\" AS ENUM('sad', 'happy');\n--> statement-breakpoint\nCREATE TABLE \"feelings\" (\"id\" integer PRIMARY KEY, \"mood\" \"mood\" NOT NULL);");
        await using var factory = await TestDatabaseFactory.CreateAsync(app, Database(app), new TestDatabaseOptions { PoolSize = 2 }, ct, folder.Path);

        // The first clones load their types from the server; the ones after get a copy, and know the template's own enum all the same.
        for (var i = 0; i < 4; i++)
        {
            await WaitUntilAsync(() => Task.FromResult(factory.Ready == 2), ct);
            await using var db = await factory.CreateAsync(ct);
            await using (var insert = db.DataSource.CreateCommand("INSERT INTO feelings VALUES (1, 'happy')"))
            {
                await insert.ExecuteNonQueryAsync(ct);
            }

            await using var select = db.DataSource.CreateCommand("SELECT mood FROM feelings");
            await using var reader = await select.ExecuteReaderAsync(ct);
            Assert.True(await reader.ReadAsync(ct));
            Assert.True(reader.GetDataTypeName(0).EndsWith("mood", StringComparison.Ordinal), $"clone {i} (types shared so far: {factory.TypesShared}) read its column as '{reader.GetDataTypeName(0)}'");
            Assert.Equal("happy", reader.GetFieldValue<string>(0));
        }

        Assert.True(factory.TypesShared > 0, "no pooled clone got the types of an earlier one");

        // A type made in a clone after its data source started is found by ReloadTypes, which asks the server again.
        await WaitUntilAsync(() => Task.FromResult(factory.Ready == 2), ct);
        var shared = factory.TypesShared;
        await using var later = await factory.CreateAsync(ct);
        await using (var connection = await later.DataSource.OpenConnectionAsync(ct))
        {
            Assert.Equal(shared, factory.TypesShared); // handed out ready: its types came with it
            await Sql.ExecuteAsync(later.MigratorConnectionString, "CREATE TYPE weather AS ENUM ('rain', 'sun')", ct);
            await connection.ReloadTypesAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 'sun'::weather", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            Assert.True(await reader.ReadAsync(ct));
            Assert.EndsWith("weather", reader.GetDataTypeName(0), StringComparison.Ordinal);
            Assert.Equal("sun", reader.GetFieldValue<string>(0));
        }
    }

    [RequiresPostgresFact]
    public async Task A_stack_not_built_by_the_testing_builder_gets_no_test_databases()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var builder = DistributedApplication.CreateBuilder([$"--Stack:StateDirectory={state.Path}", "--Dashboard:Enabled=false"]);
        builder.AddPostgres("postgres", port: 1).AddDatabase("app_dev");
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.CreateTestDatabaseAsync("app_dev", ct));
        Assert.Contains("never on a developer's stack", error.Message, StringComparison.Ordinal);
        Assert.False(app.Options.TestCluster);
    }

    private static PostgresDatabaseResource Database(DistributedApplication app) =>
        app.Model.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "app_dev");

    private static TempDirectory CopyMigrations()
    {
        var folder = new TempDirectory("stackmodel-migrations-");
        foreach (var file in Directory.EnumerateFiles(MigrationsFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder.Path, Path.GetRelativePath(MigrationsFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return folder;
    }

    private static void AddMigration(string folder, string tag, string sql)
    {
        var journalPath = Path.Combine(folder, "meta", "_journal.json");
        var journal = JsonNode.Parse(File.ReadAllText(journalPath))!;
        var entries = journal["entries"]!.AsArray();
        var last = entries[^1]!;
        entries.Add(new JsonObject
        {
            ["idx"] = last["idx"]!.GetValue<int>() + 1,
            ["version"] = "7",
            ["when"] = last["when"]!.GetValue<long>() + 60_000,
            ["tag"] = tag,
            ["breakpoints"] = true,
        });
        File.WriteAllText(journalPath, journal.ToJsonString());
        File.WriteAllText(Path.Combine(folder, tag + ".sql"), sql);
    }

    private static async Task<bool> ExistsAsync(DistributedApplication app, string name, CancellationToken ct) =>
        await Sql.ScalarAsync<bool>(await app.GetConnectionStringAsync("postgres", ct), $"SELECT EXISTS (SELECT FROM pg_database WHERE datname = '{name}')", ct);

    private static async Task<List<string>> NamesAsync(DistributedApplication app, string like, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("postgres", ct));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT datname FROM pg_database WHERE datname LIKE '{like}'", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(20, ct);
        }
    }

    /// <summary>One test stack of the real AppHost for the class.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        private DistributedApplication? _app;

        public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack did not start.");

        public async Task InitializeAsync()
        {
            if (PostgresAvailability.SkipReason is not null)
            {
                return;
            }

            var ct = TestStack.Timeout();
            _app = await TestStack.StartAppHostAsync(ct);
            await _app.WaitForResourceHealthyAsync("app_dev", ct);
        }

        public async Task DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
