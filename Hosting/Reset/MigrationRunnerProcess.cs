using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Reset;

/// <summary>
/// The migration runner the AppHost declares for a database: a project or executable that references it and serves nothing
/// (no endpoints: it runs to completion). Run here with the environment the stack gives it.
/// </summary>
internal static class MigrationRunnerProcess
{
    /// <summary>Finds the runner of <paramref name="database"/>, or <see langword="null"/> when none is declared.</summary>
    /// <exception cref="DistributedApplicationException">Several candidates, none named like a migration runner.</exception>
    public static IResource? Find(DistributedApplicationModel model, PostgresDatabaseResource database)
    {
        var candidates = model.Resources
            .Where(r => r is ProjectResource or ExecutableResource)
            .Where(r => r.Annotations.OfType<ResourceReferenceAnnotation>().Any(a => ReferenceEquals(a.Resource, database)))
            .Where(r => !r.Annotations.OfType<EndpointAnnotation>().Any())
            .ToList();
        if (candidates.Count <= 1)
        {
            return candidates.FirstOrDefault();
        }

        var named = candidates.Where(r => r.Name.Contains("migrat", StringComparison.OrdinalIgnoreCase)).ToList();
        return named.Count == 1
            ? named[0]
            : throw new DistributedApplicationException(
                $"Database '{database.Name}' is referenced by several run-to-completion resources ({string.Join(", ", candidates.Select(c => $"'{c.Name}'"))}) and none is the one migration runner by name. " +
                "Name the migration runner 'migrations' (or another name containing 'migrat') in AppHost/Program.cs.");
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
