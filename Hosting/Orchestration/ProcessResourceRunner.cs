using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Orchestration;

/// <summary>Runs an executable or a project as a process on the host, with its rendered environment, and watches its health.</summary>
internal sealed class ProcessResourceRunner(IResource resource, OrchestratorContext context) : ResourceRunner(resource, context)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _monitor = new();
    private ChildProcess? _process;
    private volatile bool _stopping;

    public override Task Completion => _completion.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var command = await ProcessCommand.ForAsync(Resource, cancellationToken).ConfigureAwait(false);
        Publish(s => s with { State = ResourceState.Starting, Runtime = "process", StartedAt = DateTimeOffset.UtcNow, StoppedAt = null, ExitCode = null, Reason = null, WaitingFor = [], Urls = ResourceTypes.HostUrls(Resource) });
        _process = ChildProcess.Start(command.Program, command.Args, command.WorkingDirectory, command.Environment, (line, isError) => Log(line, isError));
        _ = _process.Exited.ContinueWith(t => OnExited(t.Result), TaskScheduler.Default);
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
