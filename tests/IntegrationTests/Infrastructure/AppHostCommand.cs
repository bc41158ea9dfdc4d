using System.Diagnostics;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>One run of the real AppHost process with a verb, standard output and standard error captured apart, as a script sees them.</summary>
internal static class AppHostCommand
{
    /// <summary>Runs one verb of the real AppHost on a test's state folder (PostgreSQL as a process, LiteLLM off, no .env.stack).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string stateDirectory, IEnumerable<string> args, CancellationToken cancellationToken) =>
        RunAsync(args.Concat([$"--Stack:StateDirectory={stateDirectory}", "--Stack:WriteEnvFile=false", "--LiteLLM:Runtime=off", "--Stack:Runtime=process"]), cancellationToken);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "StackModel.AppHost.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return await RunAsync(info, stdin: null, cancellationToken);
    }

    /// <summary>Runs <paramref name="info"/> (pipes redirected) to its end with <paramref name="stdin"/> as its input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, string? stdin, CancellationToken cancellationToken)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
