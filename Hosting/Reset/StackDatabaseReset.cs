using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Reset;

/// <summary>
/// Resets one of the stack's databases on a reachable server: empties its tables (keeping the migration history), or with
/// <c>recreate</c> drops and creates it again and runs its migration runner. The target is proven against the stack record first;
/// a refusal changes nothing.
/// </summary>
internal static class StackDatabaseReset
{
    /// <summary>Finds a database of the model by resource name or PostgreSQL name.</summary>
    /// <exception cref="DistributedApplicationException">No such database; the message lists the declared ones.</exception>
    public static PostgresDatabaseResource FindDatabase(DistributedApplicationModel model, string name)
    {
        var databases = model.Resources.OfType<PostgresDatabaseResource>().ToList();
        return databases.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal))
            ?? databases.FirstOrDefault(d => string.Equals(d.DatabaseName, name, StringComparison.Ordinal))
            ?? throw new DistributedApplicationException(
                $"The stack declares no database '{name}'. Declared: {(databases.Count == 0 ? "none" : string.Join(", ", databases.Select(d => $"'{d.Name}'")))}. " +
                $"Name one of them, e.g. reset {databases.FirstOrDefault()?.Name ?? "app_dev"}.");
    }

    /// <summary>Resets <paramref name="database"/>; the server must be running and the state prepared.</summary>
    /// <exception cref="StackGuardException">The record is missing, or the server reached is not the stack's (<see cref="TargetMismatchException"/>).</exception>
    public static async Task<ResetResult> ResetAsync(DistributedApplication app, PostgresDatabaseResource database, bool recreate, Action<string, bool> log, CancellationToken cancellationToken = default)
    {
        app.Prepare();
        var recordPath = app.State.RecordPath;
        var record = StackRecord.Read(recordPath);
        if (!recreate)
        {
            // As the migrator: the one role the schema firewall lets empty the tables, once the guard has proved the target.
            var connectionString = await database.MigratorConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
            var tables = await DatabaseTruncation.TruncateAsync(connectionString!, record, recordPath, database.Name, cancellationToken).ConfigureAwait(false);
            return new ResetResult(database.Name, Recreated: false, tables, MigrationRunner: null);
        }

        // Found before the drop: a runner reset cannot run refuses with the database untouched.
        var runner = MigrationRunnerProcess.Find(database);
        await DatabaseRecreation.RecreateAsync(database, app.State, record, cancellationToken).ConfigureAwait(false);
        if (runner is null)
        {
            log($"Database '{database.Name}' declares no migration runner, so it was left empty. To have reset --recreate migrate it, declare its runner " +
                $"in AppHost/Program.cs with WithMigrations: postgres.AddDatabase(\"{database.Name}\").WithMigrations(<runner>).", false);
            return new ResetResult(database.Name, Recreated: true, [], MigrationRunner: null);
        }

        log($"Running the migration runner '{runner.Name}'...", false);
        var exitCode = await MigrationRunnerProcess.RunAsync(runner, log, app.Options.StartupTimeout * 2, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new DistributedApplicationException(
                $"Database '{database.Name}' was recreated, but its migration runner '{runner.Name}' exited with code {exitCode} (see its output above), so it is empty. Fix the cause and run reset {database.Name} --recreate again.");
        }

        return new ResetResult(database.Name, Recreated: true, [], runner.Name);
    }
}
