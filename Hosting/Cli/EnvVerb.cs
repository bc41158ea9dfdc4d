using System.CommandLine;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Export;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Cli;

/// <summary>
/// <c>env [--context host|container] [--format dotenv|json] [--output FILE]</c>: prints the environment a tool needs, derived
/// from the model (<c>WithEnvExport</c>), without starting anything. Parameters come from configuration or the state folder;
/// generated ones are generated and stored when the stack never ran.
/// </summary>
internal static class EnvVerb
{
    public static Command Create(DistributedApplication app, CliConsole console)
    {
        var context = new Option<string>("--context") { Description = "Where the tool runs: host (a process on this machine, default) or container (a peer on the stack's network).", DefaultValueFactory = _ => "host" };
        var format = new Option<string>("--format") { Description = "dotenv (default) or json.", DefaultValueFactory = _ => "dotenv" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (created with mode 0600, it holds passwords) instead of standard output." };
        var command = new Command("env", "Prints the addresses and credentials a tool needs (DATABASE_URL, DB_HOST, ...), derived from the AppHost model. Starts nothing.")
        {
            context, format, output,
        };
        command.SetAction((parseResult, ct) => RunAsync(app, console, parseResult.GetValue(context), parseResult.GetValue(format), parseResult.GetValue(output), ct));
        return command;
    }

    private static async Task<int> RunAsync(DistributedApplication app, CliConsole console, string? contextValue, string? formatValue, string? output, CancellationToken cancellationToken)
    {
        NetworkContext? context = contextValue switch
        {
            "host" => NetworkContext.Host,
            "container" => NetworkContext.ContainerNetwork,
            _ => null,
        };
        if (context is null)
        {
            return await InvalidAsync(console, $"--context is '{contextValue}'; expected 'host' (a process on this machine) or 'container' (a peer on the stack's network).", "Example: env --context container").ConfigureAwait(false);
        }

        EnvExportFormat? format = formatValue switch
        {
            "dotenv" => EnvExportFormat.Dotenv,
            "json" => EnvExportFormat.Json,
            _ => null,
        };
        if (format is null)
        {
            return await InvalidAsync(console, $"--format is '{formatValue}'; expected 'dotenv' or 'json'.", "Example: env --format json").ConfigureAwait(false);
        }

        string? path = null;
        if (output is not null)
        {
            if (string.IsNullOrWhiteSpace(output) || Directory.Exists(output))
            {
                return await InvalidAsync(console, $"--output is '{output}', which is {(string.IsNullOrWhiteSpace(output) ? "empty" : "a folder")}; expected a file path.", "Example: env --output .env.local").ConfigureAwait(false);
            }

            path = Path.GetFullPath(output);
            if (!Directory.Exists(Path.GetDirectoryName(path)))
            {
                return await InvalidAsync(console, $"The folder of --output '{output}' ({Path.GetDirectoryName(path)}) does not exist.", "Create it first, or write the file elsewhere.").ConfigureAwait(false);
            }
        }

        try
        {
            app.Prepare(probeEngine: false); // env starts nothing: no engine is asked, no image pulled
            var variables = await EnvExporter.RenderAsync(app.Model, context.Value, cancellationToken).ConfigureAwait(false);
            if (variables.Count == 0)
            {
                await console.Error.WriteLineAsync("The AppHost exports no variables. Declare them in AppHost/Program.cs with WithEnvExport, e.g. appDb.WithEnvExport(\"DB\", urlVariable: \"DATABASE_URL\").").ConfigureAwait(false);
            }

            await WarnAboutUnreachableAsync(app, variables, context.Value, console).ConfigureAwait(false);
            var text = EnvExporter.Format(variables, format.Value, StackEnvFile.DescribeSource(app, context.Value));
            if (path is null)
            {
                await console.Out.WriteAsync(text).ConfigureAwait(false);
            }
            else
            {
                SecureFile.WriteAllText(path, text);
                await console.Error.WriteLineAsync($"Wrote {variables.Count} variables to {path} (mode 0600).").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or UnauthorizedAccessException)
        {
            await console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Says on standard error which exported addresses lead nowhere from <paramref name="context"/>: a resource that runs on the
    /// host, as placed in Prepare (<see cref="ResourcePlacement"/>, what the dashboard and the runners read), is not on
    /// the stack network, so its stack-network address does not reach it from a container.
    /// </summary>
    private static async Task WarnAboutUnreachableAsync(DistributedApplication app, IReadOnlyList<ExportedVariable> variables, NetworkContext context, CliConsole console)
    {
        if (context != NetworkContext.ContainerNetwork)
        {
            return; // A host tool reaches a host process and a container's published port alike.
        }

        foreach (var resource in app.Model.Resources)
        {
            if (ResourcePlacement.Of(resource) is not { Kind: PlacementKind.Process, Program: not null, SettingKey: { } key } placement || placement.Context == context)
            {
                continue;
            }

            var exported = variables.Where(v => v.Resource == resource.Name).Select(v => v.Name).ToArray();
            if (exported.Length > 0)
            {
                await console.Error.WriteLineAsync(
                    $"Note: '{resource.Name}' runs as a host process ({key}={placement.Setting}), not on the stack network, so " +
                    $"{string.Join(", ", exported)} does not reach it from a container. Run it as a container ({key}=container), or use --context host.").ConfigureAwait(false);
            }
        }
    }

    private static async Task<int> InvalidAsync(CliConsole console, string problem, string fix)
    {
        await console.Error.WriteLineAsync($"{problem} Nothing was written. {fix}").ConfigureAwait(false);
        return ExitCodes.InvalidInput;
    }
}
