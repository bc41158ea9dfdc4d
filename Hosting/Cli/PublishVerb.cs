using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StackModel.Hosting.Publishing;

namespace StackModel.Hosting.Cli;

/// <summary>
/// <c>publish compose [--output DIR]</c>: writes the stack as a docker-compose project from the AppHost model
/// (<see cref="ComposePublisher"/>). Starts nothing, asks no container engine, and does not touch the stack's state folder.
/// </summary>
internal static class PublishVerb
{
    public static Command Create(DistributedApplication app, CliConsole console)
    {
        var output = new Option<string?>("--output", "-o")
        {
            Description = "The folder to write to (relative to the current folder). Default: deploy/compose under the repository root.",
        };
        var compose = new Command("compose", "Writes docker-compose.yaml, .env (mode 0600, the secrets) and the db-init scripts for the stack, from the AppHost model. Starts nothing.")
        {
            output,
        };
        compose.SetAction((parseResult, ct) => RunAsync(app, console, parseResult.GetValue(output), ct));
        return new Command("publish", "Writes the stack for running it without the AppHost.") { compose };
    }

    private static async Task<int> RunAsync(DistributedApplication app, CliConsole console, string? output, CancellationToken cancellationToken)
    {
        if (output is not null && (string.IsNullOrWhiteSpace(output) || File.Exists(output)))
        {
            await console.Error.WriteLineAsync(
                $"--output is '{output}', which is {(string.IsNullOrWhiteSpace(output) ? "empty" : "a file")}; expected a folder. Nothing was written. Example: publish compose --output deploy/compose").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var directory = output is null ? ComposePublisher.DefaultOutputDirectory(app.AppHostDirectory) : Path.GetFullPath(output);
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await new ComposePublisher(app.Model, app.Configuration, app.Options).PublishAsync(directory, cancellationToken).ConfigureAwait(false);
            foreach (var note in result.Notes)
            {
                await console.Error.WriteLineAsync($"Note: {note}").ConfigureAwait(false);
            }

            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {result.OutputDirectory} in {watch.ElapsedMilliseconds} ms: services {string.Join(", ", result.Services)}; files {string.Join(", ", result.Files.Select(f => Path.GetRelativePath(result.OutputDirectory, f)))} (.env mode 0600).")).ConfigureAwait(false);
            await console.Out.WriteLineAsync($"Run it: cd {result.OutputDirectory} && docker-compose up -d").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}
