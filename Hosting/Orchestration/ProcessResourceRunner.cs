using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;
using StackModel.ServiceDefaults;

namespace StackModel.Hosting.Orchestration;

/// <summary>Runs an executable or a project as a process on the host, with its rendered environment, and watches its health.</summary>
internal sealed class ProcessResourceRunner(IResource resource, OrchestratorContext context) : ResourceRunner(resource, context)
{
    private readonly CancellationTokenSource _monitor = new();
    private ChildProcess? _process;
    private volatile bool _abandoned;
    private bool _heldAtGate;

    public override async Task PrestartAsync(CancellationToken cancellationToken)
    {
        if (!Resource.Annotations.OfType<StartGateAnnotation>().Any())
        {
            return;
        }

        var command = await ProcessCommand.ForAsync(Resource, cancellationToken).ConfigureAwait(false);
        LogNote(command);
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
        PublishStarting(ResourcePlacement.Of(Resource).Name);
        LogNote(command);
        _process = Spawn(command, atGate: false);
        OnRunning();
    }

    public override async Task AbandonAsync()
    {
        _abandoned = true;
        if (_process is not null && !Completion.IsCompleted)
        {
            // Any line but the open one closes the gate and the process stops without acting; SIGTERM goes at once too (it
            // cancels the wait), then a kill if it is still there after 10 s.
            await _process.SendLineAndCloseInputAsync(string.Empty).ConfigureAwait(false);
            await _process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        Complete();
    }

    private async Task OpenGateAsync(CancellationToken cancellationToken)
    {
        _heldAtGate = false;
        if (Completion.IsCompleted)
        {
            return; // It exited at its gate; OnExited published how.
        }

        PublishStarting(ResourcePlacement.Of(Resource).Name);
        await _process!.SendLineAndCloseInputAsync(StartGate.OpenLine, cancellationToken).ConfigureAwait(false);
        OnRunning();
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

    private void LogNote(ProcessCommand command)
    {
        if (command.Note is { } note)
        {
            Log(note);
        }
    }

    private void OnRunning()
    {
        PublishRunning();
        if (Resource.Annotations.OfType<HttpHealthCheckAnnotation>().FirstOrDefault() is { } check)
        {
            _ = Task.Run(() => HealthMonitor.RunAsync(Resource, check, Context, _monitor.Token), CancellationToken.None);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _monitor.CancelAsync().ConfigureAwait(false);
        var process = _process;
        await StopRunningAsync(
            process is null || Completion.IsCompleted ? null : ct => process.StopAsync(NativeMethods.SigTerm, TimeSpan.FromSeconds(10), ct),
            cancellationToken).ConfigureAwait(false);
    }

    private void OnExited(int exitCode)
    {
        _monitor.Cancel();
        if (_abandoned)
        {
            Complete();
            return;
        }

        PublishExit(exitCode);
    }
}
