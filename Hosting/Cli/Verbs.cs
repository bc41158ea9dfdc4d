using System.CommandLine;

namespace StackModel.Hosting.Cli;

/// <summary>The AppHost's verbs besides running the stack.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All(DistributedApplication app, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(console);
        return [EnvVerb.Create(app, console), ResetVerb.Create(app, console), RestartVerb.Create(app, console), PublishVerb.Create(app, console)];
    }
}
