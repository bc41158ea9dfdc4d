using System.Diagnostics;
using System.Text;
using StackModel.Hosting.Runtimes;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The real AppHost run as a process (<c>dotnet StackModel.AppHost.dll</c>) on a state folder and port the test owns.</summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly AppHostLaunch _launch;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();

    private AppHostProcess(Process process, AppHostLaunch launch, string stateDirectory)
    {
        _process = process;
        _launch = launch;
        StateDirectory = stateDirectory;
    }

    public int Id => _process.Id;

    public string StateDirectory { get; }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the AppHost as from an interactive terminal (every stop signal at its default), whatever started <c>dotnet test</c>.</summary>
    public static AppHostProcess Start(string stateDirectory, int postgresPort, params string[] extraArgs) =>
        Start(AppHostLaunch.InTerminal(), stateDirectory, postgresPort, extraArgs);

    public static AppHostProcess Start(AppHostLaunch launch, string stateDirectory, int postgresPort, params string[] extraArgs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "StackModel.AppHost.dll");

        // Through env (coreutils), which sets the signal dispositions and execs dotnet: the pid stays the AppHost's.
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in launch.EnvOptions().Append("dotnet").Concat(new[] { dll, $"--Stack:StateDirectory={stateDirectory}", $"--Stack:Ports:postgres:tcp={postgresPort}", "--Stack:WriteEnvFile=false", "--Dashboard:Enabled=false", "--LiteLLM:Runtime=off",
            // Deterministic like the testing builder: PostgreSQL as a process and a stack name of its own unless the test says otherwise (last wins).
            "--Stack:Runtime=process", $"--Stack:Name={StackNameFor(stateDirectory)}" }).Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var host = new AppHostProcess(process, launch, stateDirectory);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts the AppHost and waits until its stack is up (<see cref="StackUp"/>); a start that fails is disposed (its output shown).</summary>
    public static async Task<AppHostProcess> StartUpAsync(AppHostLaunch launch, string stateDirectory, int postgresPort, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var host = Start(launch, stateDirectory, postgresPort, extraArgs);
        try
        {
            await host.WaitForOutputAsync(StackUp, cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>The stack name (container network and prefix) a test AppHost on <paramref name="stateDirectory"/> gets.</summary>
    public static string StackNameFor(string stateDirectory) => "stackmodel-test-" + Path.GetFileName(stateDirectory).Split('-').Last().ToLowerInvariant();

    /// <summary>The line every AppHost prints once its stack is up, however it was started ("Press Ctrl+C to stop the stack." or the kill hint).</summary>
    public const string StackUp = "to stop the stack";

    public async Task WaitForOutputAsync(string text, CancellationToken cancellationToken)
    {
        if (!await PrintsBeforeExitAsync(text, cancellationToken))
        {
            throw new InvalidOperationException($"The AppHost exited ({_process.ExitCode}) before printing '{text}'.{Environment.NewLine}{Describe()}");
        }
    }

    /// <summary>
    /// Waits until the AppHost's stack is up (<see langword="null"/>) or the AppHost exited (its exit code, once its output ended),
    /// whichever comes first: the outcome of a start that may succeed or be refused.
    /// </summary>
    public async Task<int?> WaitForUpOrExitAsync(CancellationToken cancellationToken) =>
        await PrintsBeforeExitAsync(StackUp, cancellationToken) ? null : await WaitForExitAsync(cancellationToken);

    /// <summary>Waits until the AppHost printed <paramref name="text"/> (<see langword="true"/>) or exited without it (<see langword="false"/>).</summary>
    private async Task<bool> PrintsBeforeExitAsync(string text, CancellationToken cancellationToken)
    {
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException ex)
            {
                throw new TimeoutException($"Timed out waiting for the AppHost to print '{text}'.{Environment.NewLine}{Describe()}", ex);
            }
        }

        return true;
    }

    public void Signal(int signal) => _ = NativeMethods.Kill(_process.Id, signal);

    /// <summary>Waits for the process to exit and its output to end (every holder of its stdout/stderr pipes gone).</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"Timed out waiting for the AppHost (pid {Id}) to exit and close its output.{Environment.NewLine}{Describe()}", ex);
        }

        return _process.ExitCode;
    }

    /// <summary>The AppHost's output, and the processes it left or still runs: what a failed or timed-out test shows.</summary>
    public string Describe()
    {
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "still running";
        IReadOnlyList<int> children = _process.HasExited ? [] : ProcessTree.Descendants(Id);
        var left = ProcessTree.All().Where(pid => pid != Environment.ProcessId && ProcessTree.CommandLine(pid).Contains(StateDirectory, StringComparison.Ordinal));
        return $"AppHost pid {Id} ({state}; signals ignored at start: {(_launch.IgnoredSignals.Length == 0 ? "none" : _launch.IgnoredSignals)}), its output:{Environment.NewLine}{Output}" +
            $"Its child processes, and processes on its state folder:{Environment.NewLine}{ProcessTree.Describe(children.Concat(left))}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _launch.Output?.WriteLine(Describe());
        }
        catch (InvalidOperationException)
        {
            // No test is running any more.
        }

        if (!_process.HasExited)
        {
            // SIGTERM stops the stack however the AppHost was started (SIGINT may have been ignored on entry).
            Signal(NativeMethods.SigTerm);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.AppendLine(line);
        }
    }
}
