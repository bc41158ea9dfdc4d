using System.CommandLine;

namespace StackModel.Hosting.Cli;

/// <summary>
/// The AppHost's command line. Without a verb it runs the stack. Arguments of the form <c>--Section:Key=value</c>
/// (or <c>--Section:Key value</c>) are configuration, accepted with every verb.
/// </summary>
internal static class CommandLine
{
    public static Task<int> InvokeAsync(DistributedApplication app, string[] args, CancellationToken cancellationToken) =>
        InvokeAsync(app, args, CliConsole.System, cancellationToken);

    /// <summary>Runs the command line with its input and output on <paramref name="console"/>. Bad input exits with code 2 and changes nothing.</summary>
    public static async Task<int> InvokeAsync(DistributedApplication app, string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Runs the development stack declared in this AppHost. Ctrl+C stops it.");
        root.SetAction((_, ct) => app.RunStackAsync(ct));
        foreach (var verb in Verbs.All(app, console))
        {
            root.Subcommands.Add(verb);
        }

        var result = root.Parse(VerbArgs(args));
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            var verb = result.CommandResult.Command == root ? string.Empty : result.CommandResult.Command.Name + " ";
            await console.Error.WriteLineAsync($"Nothing was done. See the usage: dotnet run --project AppHost -- {verb}--help").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the arguments that are configuration (<c>--Section:Key=value</c> or <c>--Section:Key value</c>).</summary>
    public static string[] ConfigurationArgs(string[] args) => Split(args).Configuration;

    /// <summary>Returns the arguments that are verbs and their options.</summary>
    public static string[] VerbArgs(string[] args) => Split(args).Verbs;

    private static (string[] Configuration, string[] Verbs) Split(string[] args)
    {
        var configuration = new List<string>();
        var verbs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                configuration.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    configuration.Add(args[++i]);
                }
            }
            else
            {
                verbs.Add(arg);
            }
        }

        return ([.. configuration], [.. verbs]);
    }
}
