using CliWrap;
using CliWrap.Buffered;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>Runs the built runner as a whole process, <c>dotnet StackModel.MigrationRunner.dll</c>, configured by environment variables.</summary>
internal static class RunnerProcess
{
    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var result = await Cli.Wrap("dotnet")
            .WithArguments([TestPaths.RunnerAssembly])
            .WithEnvironmentVariables(new Dictionary<string, string?>(environment) { ["DOTNET_NOLOGO"] = "1" })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        return new ProcessResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
