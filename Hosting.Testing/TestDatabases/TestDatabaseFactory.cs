using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Hands out test databases of one stack database on a started test stack: clones of its template (<see cref="TestDatabaseTemplate"/>),
/// taken from a pool kept full in the background or cloned on demand, and drops them when their tests dispose them.
/// </summary>
/// <remarks>
/// Every clone is named <c>&lt;database&gt;_t&lt;run&gt;_&lt;n&gt;</c>, where the run is a random id this factory holds a session advisory lock
/// on for its whole life. A clone or a template build whose run's lock is free belongs to a run that ended without cleaning up (a
/// killed test process): the next factory on the same server drops it. Nothing else on the server is ever dropped.
/// </remarks>
internal sealed class TestDatabaseFactory : IAsyncDisposable
{
    /// <summary>The first key of the advisory locks that mark a run alive: "SMTR" in ASCII.</summary>
    public const int RunLockNamespace = 0x534D_5452;

    /// <summary>How many disposed databases may wait for their drop while the pool refills (bounds the disk they hold).</summary>
    private const int DropBacklog = 16;

    private readonly DistributedApplication _app;
    private readonly NpgsqlDataSource _admin;
    private readonly NpgsqlConnection _alive;
    private readonly string _prefix;
    private readonly string _stackId;
    private readonly string _runtimeConnectionString;
    private readonly string _migratorConnectionString;
    private readonly string _strategy;
    private readonly Channel<TestDatabaseClone> _pool;
    private readonly Channel<string> _drops = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly CloneTypeFamily? _types;
    private readonly int _port;
    private readonly Task _filler;
    private readonly Task _dropper;
    private int _next;
    private int _pendingDrops;
    private Exception? _poolFault;
    private bool _discardDrops;

    private TestDatabaseFactory(
        DistributedApplication app, PostgresDatabaseResource database, NpgsqlDataSource admin, NpgsqlConnection alive, int run, string stackId, string template,
        string runtimeConnectionString, string migratorConnectionString, TestDatabaseOptions options)
    {
        _app = app;
        Database = database;
        _admin = admin;
        _alive = alive;
        Run = run;
        _prefix = RunPrefix(database, run);
        _stackId = stackId;
        TemplateName = template;
        _runtimeConnectionString = runtimeConnectionString;
        _migratorConnectionString = migratorConnectionString;
        _strategy = options.Strategy == TestDatabaseCloneStrategy.FileCopy ? "FILE_COPY" : "WAL_LOG";
        PoolSize = options.EffectivePoolSize;
        _types = options.ShareTypes ? new CloneTypeFamily() : null;
        _port = new NpgsqlConnectionStringBuilder(runtimeConnectionString).Port;
        _pool = Channel.CreateBounded<TestDatabaseClone>(new BoundedChannelOptions(Math.Max(1, PoolSize)) { SingleWriter = false });

        // A slot per place in the pool: a filler takes one before it clones, a hand-out from the pool gives it back. Two fillers by
        // default: a clone spends much of its time waiting on PostgreSQL's checkpointer and the network (measured: README, "Testing your app").
        _slots = new SemaphoreSlim(PoolSize);
        _dropper = Task.Run(DropAsync);
        _filler = PoolSize > 0 ? Task.WhenAll(Enumerable.Range(0, Math.Min(PoolSize, Math.Max(1, options.Fillers))).Select(_ => Task.Run(FillAsync))) : Task.CompletedTask;
    }

    public PostgresDatabaseResource Database { get; }

    public string TemplateName { get; }

    public int Run { get; }

    public int PoolSize { get; }

    /// <summary>Gets whether this factory built the template (rather than finding it built).</summary>
    public bool BuiltTemplate { get; private init; }

    /// <summary>Gets what the pool filler failed with, if it stopped; hand-outs then clone on demand and meet the cause themselves.</summary>
    public Exception? PoolFault => Volatile.Read(ref _poolFault);

    /// <summary>Gets how many clones are ready in the pool.</summary>
    public int Ready => _pool.Reader.Count;

    public static async Task<TestDatabaseFactory> CreateAsync(
        DistributedApplication app, PostgresDatabaseResource database, TestDatabaseOptions options, CancellationToken cancellationToken = default, string? migrationsFolder = null)
    {
        await app.WaitForResourceHealthyAsync(database.Name, cancellationToken).ConfigureAwait(false);
        var superUser = await database.Server.ConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Server '{database.Server.Name}' rendered no connection string.");
        var builder = new NpgsqlDataSourceBuilder(superUser);
        builder.ConnectionStringBuilder.Database = "postgres";
        builder.ConnectionStringBuilder.SslMode = SslMode.Disable;
        builder.ConnectionStringBuilder.GssEncryptionMode = GssEncryptionMode.Disable;
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        var admin = builder.Build();

        // The run's life: a session of its own, never pooled, so the lock goes exactly when this factory (or its process) does.
        var alive = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, Password = database.Server.SuperUserPassword.Value }.ConnectionString);
        try
        {
            await alive.OpenAsync(cancellationToken).ConfigureAwait(false);
            var run = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            await ExecuteAsync(alive, $"SELECT pg_advisory_lock({RunLockNamespace}, {run})", cancellationToken).ConfigureAwait(false);
            var recordPath = app.State.RecordPath;
            var record = StackRecord.Read(recordPath);
            await StackTargetGuard.VerifyServerAsync(alive, record, recordPath, cancellationToken).ConfigureAwait(false);
            void Log(string line, bool isError) => app.ResourceLogs.Write(database.Name, line, isError);
            await CleanUpLeftoversAsync(alive, database, run, Log, cancellationToken).ConfigureAwait(false);

            var source = await TestDatabaseTemplate.DescribeAsync(database, migrationsFolder, cancellationToken).ConfigureAwait(false);
            var built = await TestDatabaseTemplate.EnsureAsync(admin, database, source, recordPath, Log, cancellationToken).ConfigureAwait(false);
            var runtime = await database.ConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
            var migrator = await database.MigratorConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
            return new TestDatabaseFactory(app, database, admin, alive, run, record.StackId, TestDatabaseTemplate.NameFor(database, source.Key), runtime!, migrator!, options)
            {
                BuiltTemplate = built,
            };
        }
        catch
        {
            await alive.DisposeAsync().ConfigureAwait(false);
            await admin.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Hands out a ready clone from the pool, or clones one now when the pool is empty (or off).</summary>
    public async Task<TestDatabase> CreateAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        TestDatabaseClone clone;
        if (_pool.Reader.TryRead(out var ready))
        {
            clone = ready;
            _slots.Release();
        }
        else
        {
            clone = await CloneAsync(cancellationToken).ConfigureAwait(false);
        }

        return new TestDatabase(this, clone, WithDatabase(_runtimeConnectionString, clone.Name), WithDatabase(_migratorConnectionString, clone.Name));
    }

    /// <summary>The stack record with <paramref name="clone"/> added, for the guard: the server from <c>stack.json</c>, the database as cloned.</summary>
    public (StackRecord Record, string RecordPath) RecordWith(TestDatabaseClone clone)
    {
        var recordPath = _app.State.RecordPath;
        var record = StackRecord.Read(recordPath);
        return (record with { Databases = [.. record.Databases, new DatabaseRecord(clone.Name, clone.Name, Database.OwnerRole, clone.Oid)] }, recordPath);
    }

    /// <summary>Queues the drop of a disposed test database.</summary>
    public void Drop(TestDatabase database)
    {
        CloneTypeCatalog.Forget((_port, database.DatabaseName));
        _types?.Forget(database.DatabaseName);
        QueueDrop(database.DatabaseName);
    }

    /// <summary>
    /// A data source for a clone handed out without one (cloned on demand, the pool being empty or off): its first connection gets the
    /// template's types when an earlier clone's are learned (<see cref="CloneTypeCatalog"/>).
    /// </summary>
    internal NpgsqlDataSource CreateDataSource(string name, string connectionString)
    {
        if (_types is not null)
        {
            CloneTypeCatalog.Expect(_port, name, _types);
        }

        return NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>Waits until every queued drop is done (the benchmark measures clones without drops running beside them).</summary>
    internal async Task WhenDroppedAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _pendingDrops) > 0 && !_dropper.IsCompleted)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private void QueueDrop(string name)
    {
        Interlocked.Increment(ref _pendingDrops);
        if (!_drops.Writer.TryWrite(name))
        {
            // The stack is stopping: the database goes with the test cluster, or the next run on this server drops it.
            Interlocked.Decrement(ref _pendingDrops);
        }
    }

    /// <summary>
    /// Gives the database the isolation its original has (CONNECT for its owner and runtime role only; PUBLIC, hence LiteLLM's role,
    /// refused) and the stack's id, which a copy does not inherit; returns its oid.
    /// </summary>
    internal static async Task<long> IsolateAsync(NpgsqlConnection superUser, PostgresDatabaseResource database, string name, string stackId, CancellationToken cancellationToken)
    {
        var db = PostgresIdentifiers.Quote(name);
        await using var batch = new NpgsqlBatch(superUser);
        batch.BatchCommands.Add(new($"REVOKE ALL ON DATABASE {db} FROM PUBLIC"));
        batch.BatchCommands.Add(new($"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {PostgresIdentifiers.Quote(database.OwnerRole)}"));
        if (database.HasRuntimeRole)
        {
            batch.BatchCommands.Add(new($"GRANT CONNECT ON DATABASE {db} TO {PostgresIdentifiers.Quote(database.RuntimeRole)}"));
        }

        batch.BatchCommands.Add(new($"ALTER DATABASE {db} SET stackmodel.stack_id = '{stackId}'"));
        batch.BatchCommands.Add(new($"SELECT oid::bigint FROM pg_database WHERE datname = '{name}'"));
        return (long)(await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public ValueTask DisposeAsync() => DisposeAsync(discardQueuedDrops: false);

    /// <summary>Stops the pool and drops what is left, or, when the stack's cluster is about to be deleted with it, leaves the queued drops undone.</summary>
    /// <param name="discardQueuedDrops">Whether drops still queued are skipped (the test stack is being disposed and its cluster goes with it).</param>
    public async ValueTask DisposeAsync(bool discardQueuedDrops)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Volatile.Write(ref _discardDrops, discardQueuedDrops);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _pool.Writer.TryComplete();
        await _filler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (_pool.Reader.TryRead(out var unused))
        {
            if (unused.DataSource is not null)
            {
                await unused.DataSource.DisposeAsync().ConfigureAwait(false);
            }

            QueueDrop(unused.Name);
        }

        _drops.Writer.TryComplete();
        await _dropper.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _alive.DisposeAsync().ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _slots.Dispose();
    }

    /// <summary>Closes the run's session without dropping anything, as a killed process would: for tests of the next run's clean-up.</summary>
    internal async Task AbandonAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _pool.Writer.TryComplete();
        _drops.Writer.TryComplete();
        await _filler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _dropper.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _alive.DisposeAsync().ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
    }

    private static string RunPrefix(PostgresDatabaseResource database, int run) => string.Create(CultureInfo.InvariantCulture, $"{database.DatabaseName}_t{run:x8}_");

    private static string WithDatabase(string connectionString, string database) => new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    /// <summary>Drops the clones of runs whose lock is free (their process is gone) and template builds nobody is building.</summary>
    private static async Task CleanUpLeftoversAsync(NpgsqlConnection alive, PostgresDatabaseResource database, int ownRun, Action<string, bool> log, CancellationToken cancellationToken)
    {
        var clone = new Regex($"^{Regex.Escape(database.DatabaseName)}_t(?<run>[0-9a-f]{{8}})_[0-9]+$", RegexOptions.CultureInvariant);
        var build = new Regex($"^{Regex.Escape(database.DatabaseName)}_tplbuild_(?<key>[0-9a-f]{{12}})$", RegexOptions.CultureInvariant);
        var names = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1", alive))
        {
            command.Parameters.Add(new() { Value = database.DatabaseName.Replace("_", "\\_", StringComparison.Ordinal) + "\\_t%" });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }
        }

        var dropped = new List<string>();
        foreach (var group in names.Select(n => (Name: n, Clone: clone.Match(n), Build: build.Match(n))).Where(n => n.Clone.Success || n.Build.Success)
            .GroupBy(n => n.Clone.Success
                ? (RunLockNamespace, int.Parse(n.Clone.Groups["run"].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
                : (TestDatabaseTemplate.BuildLockNamespace, TestDatabaseTemplate.LockKey(n.Build.Groups["key"].Value))))
        {
            var (space, key) = group.Key;
            if (space == RunLockNamespace && key == ownRun)
            {
                continue;
            }

            // Taken: the run (or the build) is over, nobody can be using these. Held by another session: alive, left alone.
            if (!await ScalarAsync<bool>(alive, $"SELECT pg_try_advisory_lock({space}, {key})", cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                foreach (var (name, _, _) in group)
                {
                    await ExecuteAsync(alive, $"DROP DATABASE IF EXISTS {PostgresIdentifiers.Quote(name)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
                    dropped.Add(name);
                }
            }
            finally
            {
                await ExecuteAsync(alive, $"SELECT pg_advisory_unlock({space}, {key})", CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (dropped.Count > 0)
        {
            log($"Dropped {dropped.Count} test database(s) left by an earlier test run that ended without disposing them: {string.Join(", ", dropped)}.", false);
        }
    }

    private async Task<TestDatabaseClone> CloneAsync(CancellationToken cancellationToken)
    {
        var name = _prefix + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        await using var connection = await _admin.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection,
            $"CREATE DATABASE {PostgresIdentifiers.Quote(name)} OWNER {PostgresIdentifiers.Quote(Database.OwnerRole)} TEMPLATE {PostgresIdentifiers.Quote(TemplateName)} STRATEGY {_strategy}",
            cancellationToken).ConfigureAwait(false);
        var oid = await IsolateAsync(connection, Database, name, _stackId, cancellationToken).ConfigureAwait(false);
        return new TestDatabaseClone(name, oid);
    }

    private async Task FillAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (true)
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                var clone = await CloneAsync(token).ConfigureAwait(false);
                var dataSource = NpgsqlDataSource.Create(WithDatabase(_runtimeConnectionString, clone.Name));
                (int, string)? expected = _types is null ? null : CloneTypeCatalog.Expect(_port, clone.Name, _types);
                try
                {
                    // The first connection, opened and put back idle: the test finds it ready in the data source, its types known.
                    await using var connection = await dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                    await LearnTypesAsync(connection, token).ConfigureAwait(false);
                }
                catch
                {
                    await dataSource.DisposeAsync().ConfigureAwait(false);
                    QueueDrop(clone.Name);
                    throw;
                }
                finally
                {
                    if (expected is { } key)
                    {
                        CloneTypeCatalog.Forget(key);
                        _types?.Forget(clone.Name);
                    }
                }

                if (!_pool.Writer.TryWrite(clone with { DataSource = dataSource }))
                {
                    await dataSource.DisposeAsync().ConfigureAwait(false);
                    QueueDrop(clone.Name);
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception) when (PoolFault is not null)
        {
            // Another filler already met the cause and said so.
        }
        catch (Exception ex) when (Interlocked.CompareExchange(ref _poolFault, ex, null) is null)
        {
            // The first filler to fail says so; the other meets the same cause and stops quietly.
            _app.ResourceLogs.Write(Database.Name, $"The pool of test databases stopped filling ({ex.Message}); tests now get databases cloned on demand.", true);
        }
    }

    private async Task DropAsync()
    {
        await foreach (var name in _drops.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (Volatile.Read(ref _discardDrops))
            {
                Interlocked.Decrement(ref _pendingDrops);
                continue;
            }

            // Refilling the pool comes first (a test may be waiting for it); a drop, which makes PostgreSQL 15 checkpoint, waits
            // until the pool is full, the backlog grows long, or the stack stops.
            while (PoolSize > 0 && Ready < PoolSize && PoolFault is null && Volatile.Read(ref _pendingDrops) < DropBacklog && !_stopping.IsCancellationRequested)
            {
                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }

            try
            {
                await using var connection = await _admin.OpenConnectionAsync().ConfigureAwait(false);
                await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {PostgresIdentifiers.Quote(name)} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The server is stopping with the test stack (the database goes with it), or the next run on this server drops it.
                _app.ResourceLogs.Write(Database.Name, $"Test database '{name}' was not dropped ({ex.Message}); the next test run on this server drops it.", true);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingDrops);
            }
        }
    }

    /// <summary>Gets how many pooled clones got their types from an earlier clone's instead of loading them (tests).</summary>
    internal int TypesShared => _types?.Served ?? 0;

    /// <summary>Learns the template's types from a clone's connection whose data source just loaded them, unless they are known.</summary>
    internal async Task LearnTypesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_types is { Learned: false })
        {
            _types.Learn(connection.Database, await TypeOidsAsync(connection, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async Task<List<uint>> TypeOidsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var oids = new List<uint>();
        await using var command = new NpgsqlCommand("SELECT oid FROM pg_type WHERE typtype <> 'p'", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            oids.Add(reader.GetFieldValue<uint>(0));
        }

        return oids;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
