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
        var (program, args, workingDirectory) = await CommandAsync(cancellationToken).ConfigureAwait(false);
        var environment = new Dictionary<string, string?>(await EnvironmentRenderer.RenderEnvironmentAsync(Resource, NetworkContext.Host, cancellationToken).ConfigureAwait(false))
        {
            ["OTEL_SERVICE_NAME"] = Resource.Name,
            ["DOTNET_ENVIRONMENT"] = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development",
        };
        var urls = Resource.Annotations.OfType<EndpointAnnotation>()
            .Select(e => new EndpointReference((IResourceWithEndpoints)Resource, e.Name).Render(EndpointProperty.Url, NetworkContext.Host))
            .ToArray();
        Publish(s => s with { State = ResourceState.Starting, Runtime = "process", StartedAt = DateTimeOffset.UtcNow, StoppedAt = null, ExitCode = null, Reason = null, WaitingFor = [], Urls = urls });
        _process = ChildProcess.Start(program, args, workingDirectory, environment, (line, isError) => Log(line, isError));
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

    private async Task<(string Program, IReadOnlyList<string> Args, string WorkingDirectory)> CommandAsync(CancellationToken cancellationToken)
    {
        var args = await EnvironmentRenderer.RenderArgsAsync(Resource, NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        if (RuntimeSelection.Of(Resource) is { Kind: RuntimeKind.Executable, Program: { } program } selection)
        {
            return (program, [.. selection.LeadingArgs, .. args], selection.WorkingDirectory ?? Environment.CurrentDirectory);
        }

        switch (Resource)
        {
            case ProjectResource project:
                if (!File.Exists(project.Project.AssemblyPath))
                {
                    throw new DistributedApplicationException(
                        $"Project '{Resource.Name}' has not been built: '{project.Project.AssemblyPath}' does not exist. Build the solution (dotnet build) and start again.");
                }

                return ("dotnet", [project.Project.AssemblyPath, .. args], Path.GetDirectoryName(project.Project.ProjectPath)!);
            case ExecutableResource executable:
                return (executable.Command, args, executable.WorkingDirectory);
            default:
                throw new InvalidOperationException($"Resource '{Resource.Name}' is not a process.");
        }
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
