using System.Diagnostics;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>Runs one verb of the real AppHost (<c>dotnet StackModel.AppHost.dll restart postgres ...</c>) to its end, output and error apart.</summary>
internal static class AppHostCommand
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string stateDirectory, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "StackModel.AppHost.dll") }.Concat(args)
            .Concat([$"--Stack:StateDirectory={stateDirectory}", "--Stack:WriteEnvFile=false", "--LiteLLM:Runtime=off", "--Stack:Runtime=process"]))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
