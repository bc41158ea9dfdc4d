using System.CommandLine;
using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Reset;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Cli;

/// <summary>
/// <c>reset &lt;database&gt; [--yes] [--recreate]</c>: proves the target against the stack record, then empties every table of the
/// database except its migration history (one TRUNCATE in one transaction), or drops and recreates it and runs its migration
/// runner. Works against the running stack, or starts the stack's server for its duration when the stack is stopped.
/// </summary>
internal static class ResetVerb
{
    public static Command Create(DistributedApplication app, CliConsole console)
    {
        var database = new Argument<string>("database") { Description = "The database to reset: its resource name in AppHost/Program.cs (app_dev)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (needed in CI and without a terminal)." };
        var recreate = new Option<bool>("--recreate") { Description = "Drop and recreate the database (owner role and grants re-applied), then run its migration runner." };
        var command = new Command("reset", "Empties a database of the stack (keeping its migration history), after proving it is the stack's own.")
        {
            database, yes, recreate,
        };
        command.SetAction((parseResult, ct) => RunAsync(app, console, parseResult.GetValue(database)!, parseResult.GetValue(yes), parseResult.GetValue(recreate), ct));
        return command;
    }

    private static async Task<int> RunAsync(DistributedApplication app, CliConsole console, string name, bool yes, bool recreate, CancellationToken cancellationToken)
    {
        PostgresDatabaseResource database;
        try
        {
            database = StackDatabaseReset.FindDatabase(app.Model, name);
        }
        catch (DistributedApplicationException ex)
        {
            await console.Error.WriteLineAsync(ex.Message + " Nothing was changed.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var what = recreate
            ? $"This DROPS database '{database.Name}' and creates it again, then runs its migrations"
            : $"This empties every table of database '{database.Name}' (its migration history is kept)";
        var address = database.Server.Endpoint.Render(EndpointProperty.HostAndPort, NetworkContext.Host);
        if (!yes)
        {
            if (console.IsCI)
            {
                await console.Error.WriteLineAsync($"Refusing to reset '{database.Name}' without confirmation: CI=true, so nothing can be asked. Nothing was changed. Pass --yes to confirm: reset {database.Name} --yes").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            await console.Error.WriteAsync($"{what} on {address}. Type the database name ({database.Name}) to confirm: ").ConfigureAwait(false);
            var answer = await console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                await console.Error.WriteLineAsync().ConfigureAwait(false);
                await console.Error.WriteLineAsync($"Refusing to reset '{database.Name}': no answer (standard input is closed). Nothing was changed. Pass --yes to confirm without a terminal.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            if (!string.Equals(answer.Trim(), database.Name, StringComparison.Ordinal))
            {
                await console.Error.WriteLineAsync($"'{answer.Trim()}' is not '{database.Name}'. Nothing was changed.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }
        }

        try
        {
            await using var lease = await ServerLease.AcquireAsync(app, database.Server, cancellationToken).ConfigureAwait(false);
            if (lease.StartedHere)
            {
                await console.Error.WriteLineAsync($"The stack is not running: started its server '{database.Server.Name}' on {address} for this reset; it is stopped afterwards.").ConfigureAwait(false);
            }

            var result = await StackDatabaseReset.ResetAsync(app, database, recreate, (line, _) => console.Error.WriteLine(line) /* progress; stdout carries the result only */, cancellationToken).ConfigureAwait(false);
            await console.Out.WriteLineAsync(result.Recreated
                ? $"Recreated '{database.Name}'{(result.MigrationRunner is null ? " (no migration runner declared; it is empty)" : $" and ran '{result.MigrationRunner}'")}."
                : $"Reset '{database.Name}': emptied {result.TruncatedTables.Count} tables{(result.TruncatedTables.Count == 0 ? string.Empty : " (" + string.Join(", ", result.TruncatedTables) + ")")}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (TargetMismatchException ex)
        {
            await console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.TargetMismatch;
        }
        catch (Exception ex) when (ex is StackGuardException or DistributedApplicationException)
        {
            await console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (NpgsqlException ex)
        {
            await console.Error.WriteLineAsync(
                $"Could not reset '{database.Name}' on {address}: {ex.Message}. Is the stack's server up? Start the stack with dotnet run --project AppHost, or stop it so reset can start the server itself.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
