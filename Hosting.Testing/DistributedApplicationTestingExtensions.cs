using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Testing;

/// <summary>What tests ask of a running test stack.</summary>
public static class DistributedApplicationTestingExtensions
{
    /// <summary>Gets the connection string of a resource as a process on the host sees it (for a database with a migration system: the runtime role's).</summary>
    public static async Task<string> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Prepare();
        if (app.Model[resourceName] is not IResourceWithConnectionString resource)
        {
            throw new InvalidOperationException($"Resource '{resourceName}' has no connection string.");
        }

        return await resource.ConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Resource '{resourceName}' rendered an empty connection string.");
    }

    /// <summary>
    /// Gets the migrator's connection string of a database (its owner: the role its migration system gets), as a process on the host sees
    /// it. Tests that plant schema use it, as a migration would; <see cref="GetConnectionStringAsync"/> gives the runtime role.
    /// </summary>
    public static async Task<string> GetMigratorConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Prepare();
        if (app.Model[resourceName] is not Postgres.PostgresDatabaseResource database)
        {
            throw new InvalidOperationException($"Resource '{resourceName}' is not a PostgreSQL database; only databases have a migrator.");
        }

        return await database.MigratorConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Resource '{resourceName}' rendered an empty connection string.");
    }

    /// <summary>Gets the host URL of an endpoint of a resource.</summary>
    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(app);
        var resource = (IResourceWithEndpoints)app.Model[resourceName];
        return new Uri(new EndpointReference(resource, endpointName).Render(EndpointProperty.Url, NetworkContext.Host));
    }

    /// <summary>Waits until the resource is healthy (or running, without a health check); fails fast when it failed.</summary>
    public static Task<ResourceSnapshot> WaitForResourceHealthyAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        app.WaitForAsync(resourceName, s => s.State == ResourceState.Healthy || (s.State == ResourceState.Running && !HasHealthCheck(app, resourceName)), cancellationToken);

    /// <summary>Waits until the resource reaches <paramref name="state"/>; fails fast when it reaches another final state.</summary>
    public static Task<ResourceSnapshot> WaitForResourceAsync(this DistributedApplication app, string resourceName, ResourceState state, CancellationToken cancellationToken = default) =>
        app.WaitForAsync(resourceName, s => s.State == state, cancellationToken);

    private static async Task<ResourceSnapshot> WaitForAsync(this DistributedApplication app, string resourceName, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var snapshot = await app.ResourceNotifications.WaitForResourceAsync(resourceName, s => predicate(s) || s.IsTerminal, cancellationToken).ConfigureAwait(false);
        if (!predicate(snapshot))
        {
            var log = string.Join(Environment.NewLine, app.ResourceLogs.GetLines(resourceName, 20).Select(l => "  " + l.Text));
            throw new InvalidOperationException(
                $"Resource '{resourceName}' reached {snapshot.State} instead{(snapshot.Reason is null ? string.Empty : ": " + snapshot.Reason)}{Environment.NewLine}Last log lines:{Environment.NewLine}{log}");
        }

        return snapshot;
    }

    private static bool HasHealthCheck(DistributedApplication app, string resourceName) =>
        ResourceKindAnnotation.HasReadinessCheck(app.Model[resourceName]);
}
