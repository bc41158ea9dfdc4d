using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Reset;

/// <summary>
/// Makes the stack's PostgreSQL server reachable for a command run beside the stack. When an AppHost runs on the state folder
/// (it holds the folder's lock), its server is used. Otherwise this process takes the lock, so no AppHost can start meanwhile,
/// starts the server from the stack's own data folder for the command's duration, and stops it on dispose.
/// </summary>
internal sealed class ServerLease : IAsyncDisposable
{
    private readonly PostgresServerRunner? _runner;
    private readonly ContainerStack? _containers;

    private ServerLease(PostgresServerRunner? runner, ContainerStack? containers = null)
    {
        _runner = runner;
        _containers = containers;
    }

    /// <summary>Gets a value indicating whether this process started the server (the stack was not running).</summary>
    public bool StartedHere => _runner is not null;

    public static async Task<ServerLease> AcquireAsync(DistributedApplication app, PostgresServerResource server, CancellationToken cancellationToken = default)
    {
        app.Prepare();
        if (app.State.ReadRecord() is null)
        {
            throw new DistributedApplicationException(
                $"The stack has not created its cluster yet (no stack record in '{app.StateDirectory}'); start it with dotnet run --project AppHost, then try again.");
        }

        if (app.IsStarted)
        {
            return new ServerLease(runner: null); // This very process runs the stack (a test's app, or a verb beside it): use its server.
        }

        try
        {
            app.State.AcquireLock();
        }
        catch (DistributedApplicationException)
        {
            return new ServerLease(runner: null); // An AppHost runs this stack: use its server.
        }

        var notifications = app.ResourceNotifications;
        foreach (var resource in server.Databases.Cast<ApplicationModel.IResource>().Prepend(server))
        {
            notifications.Publish(new ResourceSnapshot { Name = resource.Name, ResourceType = ResourceTypes.Of(resource) });
        }

        var context = new OrchestratorContext(app.Model, app.Options, app.State, notifications, app.ResourceLogs,
            app.Services.GetRequiredService<ILoggerFactory>(), app.Services.GetRequiredService<IHttpClientFactory>());
        var runner = new PostgresServerRunner(server, context, app.Services.GetRequiredService<IPostgresRuntime>());
        try
        {
            await runner.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await runner.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new ServerLease(runner, app.Services.GetRequiredService<ContainerStack>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (_containers is not null)
        {
            // A server started here as a container created the stack network (or adopted it); it goes with the server.
            await _containers.RemoveNetworkAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
