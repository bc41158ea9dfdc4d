using System.Diagnostics;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>A long-running child process whose output lines go to a callback, stopped with a signal then killed.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process has exited and its output has been read.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Starts <paramref name="program"/>; its standard input is closed at once unless <paramref name="keepInputOpen"/> (see <see cref="SendLineAndCloseInputAsync"/>).</summary>
    public static ChildProcess Start(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?> environment, Action<string, bool> onLine, bool keepInputOpen = false)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        void OnData(DataReceivedEventArgs e, bool isError)
        {
            if (e.Data is not null)
            {
                onLine(e.Data, isError);
            }
        }

        process.OutputDataReceived += (_, e) => OnData(e, false);
        process.ErrorDataReceived += (_, e) => OnData(e, true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new DistributedApplicationException($"Could not start '{program}': {ex.Message}. Check that it is installed and on PATH.", ex);
        }

        if (!keepInputOpen)
        {
            process.StandardInput.Close();
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // WaitForExitAsync also waits until both output streams are read to their end.
        _ = process.WaitForExitAsync().ContinueWith(_ => child._exited.TrySetResult(process.ExitCode), TaskScheduler.Default);
        return child;
    }

    /// <summary>Writes one line to the standard input kept open at start, then closes it (end of file for the process).</summary>
    public async Task SendLineAndCloseInputAsync(string line, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The process is gone (a broken pipe); its exit is reported through Exited.
        }
        finally
        {
            _process.StandardInput.Close();
        }
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="timeout"/>, then kills the process tree.</summary>
    public async Task StopAsync(int signal, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                _process.Kill(entireProcessTree: true);
            }
            else
            {
                _ = NativeMethods.Kill(_process.Id, signal);
            }

            await _exited.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            Kill();
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
