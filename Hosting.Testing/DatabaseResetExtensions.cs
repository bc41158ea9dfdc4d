using StackModel.Hosting.Reset;

namespace StackModel.Hosting.Testing;

/// <summary>Resets a database of a running test stack between tests, as <c>dotnet run --project AppHost -- reset</c> does.</summary>
public static class DatabaseResetExtensions
{
    /// <summary>
    /// Proves that the database's connection reaches the stack's own server (<c>StackTargetGuard</c>), then empties every table
    /// of the database except its migration history, in one transaction. Refuses, changing nothing, when the guard fails.
    /// </summary>
    /// <param name="app">The started test stack.</param>
    /// <param name="name">The database's resource name (<c>app_dev</c>).</param>
    /// <param name="cancellationToken">Cancels the reset; the transaction is rolled back.</param>
    /// <returns>What was emptied.</returns>
    /// <exception cref="StackModel.ServiceDefaults.Guard.TargetMismatchException">The connection reached another server or database.</exception>
    public static Task<ResetResult> ResetDatabaseAsync(this DistributedApplication app, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var database = StackDatabaseReset.FindDatabase(app.Model, name);
        return StackDatabaseReset.ResetAsync(app, database, recreate: false, static (_, _) => { }, cancellationToken);
    }
}
