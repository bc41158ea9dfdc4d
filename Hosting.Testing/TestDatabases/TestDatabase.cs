using Npgsql;
using StackModel.Hosting.Reset;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Testing;

/// <summary>
/// A database of its own for one test: a copy of a stack database (<c>app_dev</c>) with every migration applied and no rows, cloned from
/// a template on the test stack's server, with the same owner-role isolation and schema firewall as the original. Dispose it at the end of
/// the test (<c>await using</c>): the database is dropped.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TestDatabaseFactory _factory;
    private NpgsqlDataSource? _dataSource;
    private int _disposed;

    internal TestDatabase(TestDatabaseFactory factory, TestDatabaseClone clone, string connectionString, string migratorConnectionString)
    {
        _factory = factory;
        Clone = clone;
        _dataSource = clone.DataSource;
        ConnectionString = connectionString;
        MigratorConnectionString = migratorConnectionString;
    }

    /// <summary>Gets the name of the stack database this one is a copy of (<c>app_dev</c>).</summary>
    public string ResourceName => _factory.Database.Name;

    /// <summary>Gets the database's name in PostgreSQL (<c>app_dev_t&lt;run&gt;_&lt;n&gt;</c>).</summary>
    public string DatabaseName => Clone.Name;

    /// <summary>Gets the template it was cloned from: <c>&lt;database&gt;_tpl_&lt;hash of the migrations and the runner&gt;</c>.</summary>
    public string TemplateName => _factory.TemplateName;

    /// <summary>
    /// Gets the connection string the application would get for it: the runtime role (<c>app_dev_user</c>), which reads and writes rows
    /// and is refused schema changes by the schema firewall, as for <c>app_dev</c> itself.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>Gets the migrator's connection string (<c>app_dev_owner</c>), for a test that plays the migration system.</summary>
    public string MigratorConnectionString { get; }

    /// <summary>Gets a data source for <see cref="ConnectionString"/>, created on first use and disposed with this database.</summary>
    public NpgsqlDataSource DataSource
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_dataSource is null)
            {
                var created = _factory.CreateDataSource(Clone.Name, ConnectionString);
                if (Interlocked.CompareExchange(ref _dataSource, created, null) is not null)
                {
                    created.Dispose();
                }
            }

            return _dataSource;
        }
    }

    internal TestDatabaseClone Clone { get; }

    /// <summary>
    /// Proves that <paramref name="connection"/> reached this very database on the test stack's own server, as <c>StackTargetGuard</c>
    /// proves <c>app_dev</c>: the server against the stack record, and this database by name, owner and oid.
    /// </summary>
    /// <exception cref="TargetMismatchException">The connection reached another server or database.</exception>
    public Task<ServerIdentity> VerifyTargetAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var (record, recordPath) = _factory.RecordWith(Clone);
        return StackTargetGuard.VerifyAsync(connection, record, Clone.Name, recordPath, cancellationToken);
    }

    /// <summary>
    /// Empties every table except the migration history, as <c>ResetDatabaseAsync("app_dev")</c> does for the stack's database: the target
    /// is proven first (this database, on the stack's server) and a refusal changes nothing.
    /// </summary>
    public async Task<ResetResult> ResetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (record, recordPath) = _factory.RecordWith(Clone);
        var tables = await DatabaseTruncation.TruncateAsync(MigratorConnectionString, record, recordPath, Clone.Name, cancellationToken).ConfigureAwait(false);
        return new ResetResult(Clone.Name, Recreated: false, tables, MigrationRunner: null);
    }

    /// <summary>Closes this database's connections and drops it (in the background; the test stack waits for it when it stops).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _factory.Drop(this);
    }

    /// <inheritdoc/>
    public override string ToString() => Clone.Name;
}
