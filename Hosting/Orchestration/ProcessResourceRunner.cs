using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.ServiceDefaults;

namespace StackModel.Hosting.Orchestration;

/// <summary>Runs an executable or a project as a process on the host, with its rendered environment, and watches its health.</summary>
internal sealed class ProcessResourceRunner(IResource resource, OrchestratorContext context) : ResourceRunner(resource, context)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _monitor = new();
    private ChildProcess? _process;
    private volatile bool _stopping;
    private volatile bool _abandoned;
    private bool _heldAtGate;

    public override Task Completion => _completion.Task;

    public override async Task PrestartAsync(CancellationToken cancellationToken)
    {
        if (!Resource.Annotations.OfType<StartGateAnnotation>().Any())
        {
            return;
        }

        var command = await ProcessCommand.ForAsync(Resource, cancellationToken).ConfigureAwait(false);
        _process = Spawn(command, atGate: true);
        _heldAtGate = true;
        Log($"Started early (pid {_process.Id}) and held at its start gate until what it waits for is ready.");
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_heldAtGate)
        {
            await OpenGateAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var command = await ProcessCommand.ForAsync(Resource, cancellationToken).ConfigureAwait(false);
        PublishStarting();
        _process = Spawn(command, atGate: false);
        PublishRunning();
    }

    public override async Task AbandonAsync()
    {
        _abandoned = true;
        if (_process is not null && !_completion.Task.IsCompleted)
        {
            // Any line but the open one closes the gate and the process stops without acting; SIGTERM goes at once too (it
            // cancels the wait), then a kill if it is still there after 10 s.
            await _process.SendLineAndCloseInputAsync(string.Empty).ConfigureAwait(false);
            await _process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        _completion.TrySetResult();
    }

    private async Task OpenGateAsync(CancellationToken cancellationToken)
    {
        _heldAtGate = false;
        if (_completion.Task.IsCompleted)
        {
            return; // It exited at its gate; OnExited published how.
        }

        PublishStarting();
        await _process!.SendLineAndCloseInputAsync(StartGate.OpenLine, cancellationToken).ConfigureAwait(false);
        PublishRunning();
    }

    /// <summary>Starts the process; held at its gate (<see cref="StartGate"/> over standard input) when <paramref name="atGate"/>.</summary>
    private ChildProcess Spawn(ProcessCommand command, bool atGate)
    {
        var environment = atGate
            ? new Dictionary<string, string?>(command.Environment) { [StartGate.ConfigurationKey] = StartGate.StandardInput }
            : command.Environment;
        var process = ChildProcess.Start(command.Program, command.Args, command.WorkingDirectory, environment, (line, isError) => Log(line, isError), keepInputOpen: atGate);
        _ = process.Exited.ContinueWith(t => OnExited(t.Result), TaskScheduler.Default);
        return process;
    }

    private void PublishStarting() =>
        Publish(s => s with { State = ResourceState.Starting, Runtime = "process", StartedAt = DateTimeOffset.UtcNow, StoppedAt = null, ExitCode = null, Reason = null, WaitingFor = [], Urls = ResourceTypes.HostUrls(Resource) });

    private void PublishRunning()
    {
        Publish(s => s.State == ResourceState.Starting ? s with { State = ResourceState.Running } : s);
        if (Resource.Annotations.OfType<HttpHealthCheckAnnotation>().FirstOrDefault() is { } check)
        {
            _ = Task.Run(() => HealthMonitor.RunAsync(Resource, check, Context, _monitor.Token), CancellationToken.None);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _monitor.CancelAsync().ConfigureAwait(false);
        if (_process is null || _completion.Task.IsCompleted)
        {
            _completion.TrySetResult();
            return;
        }

        _stopping = true;
        Publish(s => s with { State = ResourceState.Stopping });
        await _process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await _completion.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    private void OnExited(int exitCode)
    {
        _monitor.Cancel();
        if (_abandoned)
        {
            _completion.TrySetResult();
            return;
        }

        Publish(s => s with
        {
            State = _stopping ? ResourceState.Stopped : exitCode == 0 ? ResourceState.Finished : ResourceState.Exited,
            ExitCode = exitCode,
            StoppedAt = DateTimeOffset.UtcNow,
            Reason = _stopping || exitCode == 0 ? null : $"Exited with code {exitCode}; see its log.",
        });
        _completion.TrySetResult();
    }
}
