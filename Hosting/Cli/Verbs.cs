using System.CommandLine;

namespace StackModel.Hosting.Cli;

/// <summary>The AppHost's verbs besides running the stack.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All(DistributedApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return [];
    }
}
