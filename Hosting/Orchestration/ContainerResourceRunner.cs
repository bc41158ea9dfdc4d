using System.Text.RegularExpressions;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Runs a <see cref="ContainerResource"/> on the stack network: environment and arguments rendered for
/// <see cref="NetworkContext.ContainerNetwork"/> (peers by alias and target port, e.g. <c>postgres:5432</c>), endpoints published
/// on 127.0.0.1, health probed from the host. A container that references a resource running as a host process (PostgreSQL
/// under <c>Stack:Runtime=process</c>) is refused: it could reach it only through the host network, where its ports would no
/// longer be the declared host ports.
/// </summary>
internal sealed partial class ContainerResourceRunner(ContainerResource container, OrchestratorContext context, ContainerStack containers)
    : ResourceRunner(container, context)
{
    private readonly CancellationTokenSource _monitor = new();
    private RunningContainer? _running;
    private DateTimeOffset _startedAt;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var hostOnly = ReferencedResources().Where(r => !IsOnStackNetwork(r)).Select(r => r.Name).Distinct().ToArray();
        if (hostOnly.Length > 0)
        {
            throw new DistributedApplicationException(
                $"Container '{container.Name}' references {string.Join(", ", hostOnly.Select(n => $"'{n}'"))}, which runs as a local process on 127.0.0.1 " +
                $"({string.Join("; ", hostOnly.Select(n => ResourcePlacement.Of(Context.Model[n]).Why).Distinct())}); a container on the stack network cannot reach it. " +
                "Run PostgreSQL as a container too (Stack:Runtime=container, after reset --recreate if the cluster exists), or run this resource as a host process.");
        }

        var environment = await EnvironmentRenderer.RenderEnvironmentAsync(container, NetworkContext.ContainerNetwork, cancellationToken).ConfigureAwait(false);
        var args = await EnvironmentRenderer.RenderArgsAsync(container, NetworkContext.ContainerNetwork, cancellationToken).ConfigureAwait(false);
        var endpoints = container.Annotations.OfType<EndpointAnnotation>().ToArray();
        var spec = new ContainerSpec(container.Name, $"{container.Image}:{container.Tag}")
        {
            Ports = endpoints.Select(e => (e.HostPort, e.TargetPort)).ToArray(),
            Environment = environment,
            Args = args,
            Mounts = container.Annotations.OfType<ContainerMountAnnotation>()
                .Select(m => new ContainerMount(m.Source, m.Target, m.IsVolume, m.ReadOnly))
                .ToArray(),
        };
        foreach (var bind in spec.Mounts.Where(m => !m.IsVolume && !Path.Exists(m.Source)))
        {
            throw new DistributedApplicationException(
                $"Container '{container.Name}' mounts '{bind.Source}' at '{bind.Target}', and that path does not exist. Create it, or fix WithBindMount in AppHost/Program.cs.");
        }

        PublishStarting(ResourcePlacement.Of(container).Name);
        _startedAt = DateTimeOffset.UtcNow;
        _running = await containers.RunAsync(spec, (line, isError) => Log(line, isError), cancellationToken).ConfigureAwait(false);
        _ = _running.Exited.ContinueWith(t => OnExited(t.Result), TaskScheduler.Default);
        PublishRunning();
        if (container.Annotations.OfType<HttpHealthCheckAnnotation>().FirstOrDefault() is { } check)
        {
            _ = Task.Run(() => HealthMonitor.RunAsync(container, check, Context, _monitor.Token), CancellationToken.None);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _monitor.CancelAsync().ConfigureAwait(false);
        var running = _running;
        await StopRunningAsync(running is null ? null : running.StopAsync, cancellationToken).ConfigureAwait(false); // also removes an exited container
    }

    /// <summary>The resources whose addresses this container is given: references, and endpoints named in its environment or arguments.</summary>
    private IEnumerable<IResource> ReferencedResources()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var collected = new EnvironmentCallbackContext();
        foreach (var annotation in container.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(collected);
        }

        var values = collected.EnvironmentVariables.Values.Concat(container.Annotations.OfType<CommandLineArgsAnnotation>().SelectMany(a => a.Args));
        foreach (var provider in values.OfType<IValueProvider>())
        {
            foreach (Match match in EndpointExpression().Matches(provider.ValueExpression))
            {
                names.Add(match.Groups["resource"].Value);
            }
        }

        foreach (var reference in container.Annotations.OfType<ResourceReferenceAnnotation>())
        {
            names.Add(reference.Resource.Name);
        }

        return Context.Model.Resources.Where(r => names.Contains(r.Name) && r != container);
    }

    /// <summary>Whether a container reaches <paramref name="resource"/>: it runs on the stack network, or it is a value without an address (a parameter).</summary>
    private static bool IsOnStackNetwork(IResource resource) =>
        resource is ParameterResource || ResourcePlacement.Of(resource).Context == NetworkContext.ContainerNetwork;

    private void OnExited(int exitCode)
    {
        _monitor.Cancel();
        var state = Context.Notifications.TryGetSnapshot(container.Name)?.State;
        var whileStarting = state is not (ResourceState.Healthy or ResourceState.Unhealthy) && DateTimeOffset.UtcNow - _startedAt < Context.Options.StartupTimeout;
        var stopping = IsStopping;

        // The container stays until removed: remove it now unless a stop is already doing so.
        if (!stopping && _running is { } running)
        {
            _ = Task.Run(() => running.RemoveAsync(CancellationToken.None), CancellationToken.None);
        }

        if (StateOnExit(exitCode) == ResourceState.Exited && whileStarting)
        {
            var tail = _running?.Tail ?? [];
            var reason = $"Container '{container.Name}' {ExitStatus.Describe(exitCode)} while starting. Its last lines:{Environment.NewLine}" +
                         string.Join(Environment.NewLine, tail.TakeLast(10).Select(l => "  " + l)) + Environment.NewLine +
                         "Fix the cause above and start it again.";
            Log(reason, isError: true);
            PublishExit(exitCode, reason, ResourceState.FailedToStart);
        }
        else
        {
            PublishExit(exitCode);
        }
    }

    [GeneratedRegex(@"\{(?<resource>[^{}.]+)\.bindings\.")]
    private static partial Regex EndpointExpression();
}
