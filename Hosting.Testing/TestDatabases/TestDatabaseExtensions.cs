using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using StackModel.Hosting.Reset;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Gives each test a database of its own on a started test stack: a copy of a stack database (<c>app_dev</c>) with every migration applied and
/// no rows, cloned in milliseconds from a template the real migration runner built once per migrations folder content.
/// </summary>
/// <example>
/// <code>
/// await using var db = await app.CreateTestDatabaseAsync("app_dev", cancellationToken);
/// await using var connection = await db.DataSource.OpenConnectionAsync(cancellationToken);
/// </code>
/// </example>
public static class TestDatabaseExtensions
{
    private static readonly ConditionalWeakTable<DistributedApplication, ConcurrentDictionary<string, Lazy<Task<TestDatabaseFactory>>>> Factories = [];

    /// <summary>
    /// Creates a test database: a fresh copy of <paramref name="name"/> with every migration applied and no rows, isolated as the original is
    /// (its connection string is the runtime role's; LiteLLM's role cannot open it; the schema firewall guards it). Dispose it at the end
    /// of the test: it is dropped. The first call on a stack builds or finds the template and starts the pool of ready copies
    /// (<see cref="TestDatabaseOptions"/>); call <see cref="PrepareTestDatabasesAsync"/> in a fixture to do that before the first test.
    /// </summary>
    /// <param name="app">A test stack built by <see cref="DistributedApplicationTestingBuilder"/> and started.</param>
    /// <param name="name">The database's resource name (<c>app_dev</c>); it must declare its migration runner (<c>WithMigrations</c>).</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The test database.</returns>
    /// <exception cref="InvalidOperationException">The stack is not a test stack, or the database has no migration runner, or the runner failed on the migrations.</exception>
    public static async Task<TestDatabase> CreateTestDatabaseAsync(this DistributedApplication app, string name, CancellationToken cancellationToken = default)
    {
        var factory = await GetFactoryAsync(app, name, cancellationToken).ConfigureAwait(false);
        return await factory.CreateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds (or finds) the template of <paramref name="name"/> and starts filling the pool of ready test databases, so that the first
    /// <see cref="CreateTestDatabaseAsync"/> of a test run costs what every other does. A class fixture calls it once the stack is started.
    /// </summary>
    /// <param name="app">A started test stack.</param>
    /// <param name="name">The database's resource name (<c>app_dev</c>).</param>
    /// <param name="cancellationToken">Cancels the preparation.</param>
    /// <returns>The template's name.</returns>
    public static async Task<string> PrepareTestDatabasesAsync(this DistributedApplication app, string name, CancellationToken cancellationToken = default)
    {
        var factory = await GetFactoryAsync(app, name, cancellationToken).ConfigureAwait(false);
        return factory.TemplateName;
    }

    /// <summary>Empties every table of a test database except its migration history, after proving the target, as <c>ResetDatabaseAsync("app_dev")</c> does.</summary>
    /// <param name="app">The test stack the database belongs to.</param>
    /// <param name="database">The test database.</param>
    /// <param name="cancellationToken">Cancels the reset; the transaction is rolled back.</param>
    /// <returns>What was emptied.</returns>
    public static Task<ResetResult> ResetDatabaseAsync(this DistributedApplication app, TestDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(database);
        return database.ResetAsync(cancellationToken);
    }

    internal static async Task<TestDatabaseFactory> GetFactoryAsync(DistributedApplication app, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!TestStacks.Contains(app))
        {
            throw new InvalidOperationException(
                $"Test databases of '{name}' are cloned and dropped on a test stack only, never on a developer's stack. Build the stack with " +
                "DistributedApplicationTestingBuilder.CreateAsync<Program>() and start it, then call CreateTestDatabaseAsync on that.");
        }

        var database = StackDatabaseReset.FindDatabase(app.Model, name);
        var factories = Factories.GetValue(app, static _ => new(StringComparer.Ordinal));
        while (true)
        {
            var lazy = factories.GetOrAdd(database.Name, _ => new Lazy<Task<TestDatabaseFactory>>(() => CreateFactoryAsync(app, database, cancellationToken)));
            try
            {
                return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
            {
                // A failed or cancelled creation is not kept: the next caller tries again (and meets the cause again, or not).
                factories.TryRemove(new(database.Name, lazy));
                if (cancellationToken.IsCancellationRequested || lazy.Value.IsFaulted)
                {
                    throw;
                }
            }
        }
    }

    private static async Task<TestDatabaseFactory> CreateFactoryAsync(DistributedApplication app, Postgres.PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        var options = new TestDatabaseOptions();
        app.Configuration.GetSection(TestDatabaseOptions.SectionName).Bind(options);
        var factory = await TestDatabaseFactory.CreateAsync(app, database, options, cancellationToken).ConfigureAwait(false);
        // A test stack whose cluster is deleted with it (a state folder of the builder's own) need not wait for the drops still queued.
        app.OnDisposed(() => factory.DisposeAsync(discardQueuedDrops: TestStacks.ClusterGoesWith(app)));
        return factory;
    }
}
