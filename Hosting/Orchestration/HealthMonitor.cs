using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Probes a resource's HTTP health endpoint from the host, as Aspire's orchestrator does (container engines' own
/// HEALTHCHECKs do not run everywhere): often while starting, then every second.
/// </summary>
internal static class HealthMonitor
{
    public static async Task RunAsync(IResource resource, HttpHealthCheckAnnotation check, OrchestratorContext context, CancellationToken cancellationToken)
    {
        var endpoint = new EndpointReference((IResourceWithEndpoints)resource, check.EndpointName);
        var url = new Uri(endpoint.Render(EndpointProperty.Url, NetworkContext.Host) + check.Path);
        using var client = context.HttpClientFactory.CreateClient("StackModel.Health");
        client.Timeout = TimeSpan.FromSeconds(2);
        var started = DateTime.UtcNow;
        var everHealthy = false;
        string? lastFailure = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            string? failure;
            try
            {
                using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
                failure = (int)response.StatusCode == check.StatusCode ? null : $"GET {url} answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                failure = $"GET {url} failed: {ex.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"GET {url} timed out";
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var startupOver = DateTime.UtcNow - started > context.Options.StartupTimeout;
            if (failure is null)
            {
                everHealthy = true;
            }

            var current = context.Notifications.TryGetSnapshot(resource.Name);
            if (current is null || current.IsTerminal || current.State == ResourceState.Stopping)
            {
                return;
            }

            var next = failure is null ? ResourceState.Healthy : everHealthy || startupOver ? ResourceState.Unhealthy : ResourceState.Running;
            if (next != current.State || failure != lastFailure)
            {
                context.Notifications.Update(resource.Name, s => s.IsTerminal || s.State == ResourceState.Stopping ? s : s with { State = next, Reason = next == ResourceState.Healthy ? null : failure });
                lastFailure = failure;
            }

            try
            {
                await Task.Delay(everHealthy ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
