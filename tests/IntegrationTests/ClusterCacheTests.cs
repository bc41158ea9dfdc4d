using System.Text.Json.Nodes;
using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// Test clusters are copies of a cached pristine cluster (Hosting/Runtimes/Process/ClusterCache.cs): each test here uses a cache
/// folder of its own (<c>--Stack:ClusterCacheDirectory=</c>), never the machine's, and real PostgreSQL.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class ClusterCacheTests
{
    private const string InitDbOutput = "The files belonging to this database system";

    [RequiresPostgresFact]
    public async Task A_copied_cluster_works_with_the_stacks_own_password_and_refuses_the_cached_one()
    {
        var ct = TestStack.Timeout();
        using var cache = new CacheFolder();
        var passwords = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            string stateDirectory;
            await using (var builder = cache.Builder())
            {
                stateDirectory = builder.StateDirectory;
                await using var app = await builder.BuildAsync(ct);
                await app.StartAsync(ct);
                await app.ResourceNotifications.WaitForResourceAsync("app_dev", s => s.State == ResourceState.Healthy || s.IsTerminal, ct);
                Assert.Equal(ResourceState.Healthy, app.ResourceNotifications.TryGetSnapshot("app_dev")!.State);

                var server = (PostgresServerResource)app.Model["postgres"];
                var port = server.Endpoint.Annotation.HostPort;
                var log = app.ResourceLogs.GetLines("postgres").Select(l => l.Text).ToList();
                Assert.Contains(log, l => l.Contains($"copied from the cache at {cache.Entry}", StringComparison.Ordinal));
                Assert.Equal(i == 0, log.Any(l => l.Contains(InitDbOutput, StringComparison.Ordinal))); // initdb for the first stack only

                // The stack's own password works (and the server does real work: a table in app_dev); the cached one is refused.
                await Sql.ExecuteAsync(Superuser(port, server.SuperUserPassword.Value, "app_dev"), "CREATE TABLE copied (n int); INSERT INTO copied VALUES (1)", ct);
                Assert.Equal(1L, await Sql.ScalarAsync<long>(Superuser(port, server.SuperUserPassword.Value, "app_dev"), "SELECT count(*) FROM copied", ct));
                var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(Superuser(port, cache.EntryPassword, "postgres"), "SELECT 1", ct));
                Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
                Assert.NotEqual(cache.EntryPassword, server.SuperUserPassword.Value);

                // The stack's databases (renamed from the entry's spares) belong to their owners; no spare is left.
                Assert.Equal(
                    "app_dev:app_dev_owner,litellm_dev:litellm_dev_owner,postgres:postgres,template0:postgres,template1:postgres",
                    await Sql.ScalarAsync<string>(Superuser(port, server.SuperUserPassword.Value, "postgres"), "SELECT string_agg(datname || ':' || pg_get_userbyid(datdba), ',' ORDER BY datname) FROM pg_database", ct));
                passwords.Add(server.SuperUserPassword.Value);
            }

            // Disposed: no server, no state folder, and in the cache nothing but the entry and its lock.
            Assert.False(Directory.Exists(stateDirectory));
            Assert.Empty(PostgresProcesses.On(stateDirectory));
            Assert.Equal([cache.Entry], Directory.GetDirectories(cache.Path));
        }

        Assert.NotEqual(passwords[0], passwords[1]);
    }

    [RequiresPostgresFact]
    public async Task Two_builders_starting_at_once_on_an_empty_cache_fill_it_once()
    {
        var ct = TestStack.Timeout();
        using var cache = new CacheFolder();
        await using var first = cache.Builder();
        await using var second = cache.Builder();
        await using var a = await first.BuildAsync(ct);
        await using var b = await second.BuildAsync(ct);

        await Task.WhenAll(a.StartAsync(ct), b.StartAsync(ct));
        await Task.WhenAll(
            a.ResourceNotifications.WaitForResourceAsync("app_dev", s => s.State == ResourceState.Healthy || s.IsTerminal, ct),
            b.ResourceNotifications.WaitForResourceAsync("app_dev", s => s.State == ResourceState.Healthy || s.IsTerminal, ct));

        Assert.Equal(ResourceState.Healthy, a.ResourceNotifications.TryGetSnapshot("app_dev")!.State);
        Assert.Equal(ResourceState.Healthy, b.ResourceNotifications.TryGetSnapshot("app_dev")!.State);
        var initDbs = new[] { a, b }.Count(app => app.ResourceLogs.GetLines("postgres").Any(l => l.Text.Contains(InitDbOutput, StringComparison.Ordinal)));
        Assert.Equal(1, initDbs);
        Assert.Equal([cache.Entry], Directory.GetDirectories(cache.Path));
        Assert.All(new[] { a, b }, app => Assert.Contains(app.ResourceLogs.GetLines("postgres"), l => l.Text.Contains("copied from the cache", StringComparison.Ordinal)));
    }

    [RequiresPostgresFact]
    public async Task A_damaged_entry_and_a_killed_builders_leftovers_are_replaced_by_a_rebuilt_entry_never_copied()
    {
        var ct = TestStack.Timeout();
        using var cache = new CacheFolder();
        await StartAndDisposeAsync(cache, expectInitDb: true, ct);
        var entryJson = File.ReadAllText(Path.Combine(cache.Entry, "entry.json"));

        // A relation file of template1 is gone (a half-deleted entry, a disk error): copying it would give a broken cluster.
        var victim = Directory.EnumerateFiles(Path.Combine(cache.Entry, "data", "base", "1")).First(f => Path.GetFileName(f).All(char.IsDigit));
        File.Delete(victim);
        var leftover = Directory.CreateDirectory(Path.Combine(cache.Path, ".build-" + Path.GetFileName(cache.Entry) + "-deadbeef")).FullName;
        File.WriteAllText(Path.Combine(leftover, "half-written"), "x");

        await StartAndDisposeAsync(cache, expectInitDb: true, ct);

        Assert.True(File.Exists(victim));
        Assert.NotEqual(entryJson, File.ReadAllText(Path.Combine(cache.Entry, "entry.json"))); // a new entry, with a new password
        Assert.Equal([cache.Entry], Directory.GetDirectories(cache.Path));

        // A damaged record (entry.json cut in half) is rebuilt the same way; an intact entry is then copied without initdb.
        var json = File.ReadAllText(Path.Combine(cache.Entry, "entry.json"));
        File.WriteAllText(Path.Combine(cache.Entry, "entry.json"), json[..(json.Length / 2)]);
        await StartAndDisposeAsync(cache, expectInitDb: true, ct);
        await StartAndDisposeAsync(cache, expectInitDb: false, ct);
        Assert.Equal([cache.Entry], Directory.GetDirectories(cache.Path));
    }

    [RequiresPostgresFact]
    public async Task A_test_stack_on_a_kept_state_folder_runs_initdb_and_leaves_the_cache_alone()
    {
        var ct = TestStack.Timeout();
        using var cache = new CacheFolder();
        using var state = new TempDirectory();
        await using (var builder = cache.Builder($"--Stack:StateDirectory={state.Path}"))
        {
            await using var app = await builder.BuildAsync(ct);
            await app.StartAsync(ct);
            await app.ResourceNotifications.WaitForResourceAsync("app_dev", s => s.State == ResourceState.Healthy || s.IsTerminal, ct);
            Assert.Equal(ResourceState.Healthy, app.ResourceNotifications.TryGetSnapshot("app_dev")!.State);
            var log = app.ResourceLogs.GetLines("postgres").Select(l => l.Text).ToList();
            Assert.Contains(log, l => l.Contains(InitDbOutput, StringComparison.Ordinal));
            Assert.DoesNotContain(log, l => l.Contains("copied from the cache", StringComparison.Ordinal));
        }

        Assert.False(Directory.Exists(cache.Path) && Directory.EnumerateFileSystemEntries(cache.Path).Any());
    }

    private static async Task StartAndDisposeAsync(CacheFolder cache, bool expectInitDb, CancellationToken ct)
    {
        await using var builder = cache.Builder();
        await using var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct);
        await app.ResourceNotifications.WaitForResourceAsync("app_dev", s => s.State == ResourceState.Healthy || s.IsTerminal, ct);
        Assert.Equal(ResourceState.Healthy, app.ResourceNotifications.TryGetSnapshot("app_dev")!.State);
        Assert.Equal(expectInitDb, app.ResourceLogs.GetLines("postgres").Any(l => l.Text.Contains(InitDbOutput, StringComparison.Ordinal)));
    }

    private static string Superuser(int port, string password, string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = database, Pooling = false }.ConnectionString;

    /// <summary>
    /// A cache folder of the test's own, below a parent PostgreSQL's account can enter (0711: under root the account runs initdb
    /// there), removed with everything in it.
    /// </summary>
    private sealed class CacheFolder : IDisposable
    {
        private readonly string _parent;

        public CacheFolder()
        {
            _parent = Directory.CreateTempSubdirectory("stackmodel-cache-test-").FullName;
            File.SetUnixFileMode(_parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            Path = System.IO.Path.Combine(_parent, "clusters");
        }

        public string Path { get; }

        /// <summary>Gets the cache's one entry (it fails when there is none or more than one).</summary>
        public string Entry => Assert.Single(Directory.GetDirectories(Path), d => !System.IO.Path.GetFileName(d).StartsWith('.'));

        public string EntryPassword => JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Entry, "entry.json")))!["password"]!.GetValue<string>();

        /// <summary>A PostgreSQL-only test stack (app_dev, litellm_dev) on this cache.</summary>
        public DistributedApplicationTestingBuilder Builder(params string[] args)
        {
            var builder = DistributedApplicationTestingBuilder.Create([$"--Stack:ClusterCacheDirectory={Path}", .. args]);
            var postgres = builder.AddPostgres("postgres", port: 1);
            postgres.AddDatabase("app_dev");
            postgres.AddDatabase("litellm_dev");
            return builder;
        }

        public void Dispose() => Directory.Delete(_parent, recursive: true);
    }
}
