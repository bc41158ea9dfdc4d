using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Reset;

/// <summary>
/// The migration runner the AppHost declares for a database with <c>WithMigrations</c> (<see cref="DatabaseMigrationsAnnotation"/>),
/// run here as a host process with the environment the stack gives it.
/// </summary>
internal static class MigrationRunnerProcess
{
    /// <summary>Finds the runner declared with <c>WithMigrations</c> on <paramref name="database"/>, or <see langword="null"/> when none is.</summary>
    /// <exception cref="DistributedApplicationException">The declared runner is not a project or executable, so reset cannot run it.</exception>
    public static IResource? Find(PostgresDatabaseResource database)
    {
        ArgumentNullException.ThrowIfNull(database);

        // SingleMigrationSystemRule has already refused a database with two migration systems.
        var runner = database.Annotations.OfType<DatabaseMigrationsAnnotation>().FirstOrDefault()?.Migrator;
        return runner is null or ProjectResource or ExecutableResource
            ? runner
            : throw new DistributedApplicationException(
                $"Database '{database.Name}' is migrated by '{runner.Name}' (WithMigrations), which is a {runner.GetType().Name}: reset runs a migration runner " +
                $"as a host process, so expected a project (AddProject) or an executable (AddExecutable). Nothing was changed. " +
                $"Declare the runner as a project or executable, or recreate '{database.Name}' by starting the stack on a new state folder.");
    }

    /// <summary>Runs the runner to completion and returns its exit code; its output goes to <paramref name="log"/>.</summary>
    public static async Task<int> RunAsync(IResource runner, Action<string, bool> log, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var command = await ProcessCommand.ForAsync(runner, cancellationToken).ConfigureAwait(false);
        await using var process = ChildProcess.Start(command.Program, command.Args, command.WorkingDirectory, command.Environment, log);
        try
        {
            return await process.Exited.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"Migration runner '{runner.Name}' did not finish within {timeout.TotalSeconds:0} s and was stopped. If it waits for another resource (LiteLLM), start the whole stack (dotnet run --project AppHost) and reset again.", ex);
        }
    }
}
