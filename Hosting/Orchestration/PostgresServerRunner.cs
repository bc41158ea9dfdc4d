using System.Security.Cryptography;
using Npgsql;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Orchestration;

/// <summary>Starts the stack's PostgreSQL server, brings its databases and roles to the model, and records what it created.</summary>
internal sealed class PostgresServerRunner(PostgresServerResource server, OrchestratorContext context, IPostgresRuntime runtime) : ResourceRunner(server, context)
{
    private PostgresServerHandle? _handle;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    public override Task Completion => _completion.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var previous = await Context.State.ReadRecordAtStartAsync().ConfigureAwait(false);
        if (previous is not null && previous.Runtime != runtime.Name)
        {
            throw new DistributedApplicationException(
                $"The stack's PostgreSQL cluster in '{Context.State.Directory}' was created by the {previous.Runtime} runtime, and this start chose the {runtime.Name} runtime. " +
                $"Data is never left behind or replaced silently: set Stack:Runtime={previous.Runtime} (or auto) to keep using it. To switch on purpose, stop the AppHost and " +
                $"delete the state folder{(previous.Runtime == "container" ? $" and the volume '{Context.Options.Name}-{server.Name}-data' (podman/docker volume rm)" : string.Empty)}: " +
                "this deletes the cluster and its data ('reset --recreate' recreates one database, not the cluster).");
        }

        var endpoint = server.Endpoint.Annotation;
        Publish(s => s with { State = ResourceState.Starting, Runtime = runtime.Name, StartedAt = DateTimeOffset.UtcNow, Reason = null, Urls = ResourceTypes.HostUrls(server) });
        foreach (var database in server.Databases)
        {
            Context.Notifications.Update(database.Name, s => s with { State = ResourceState.Starting, Reason = null });
        }

        // Built on another thread while the server starts: a data source's first build in a process is mostly type loading.
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        var adminDataSource = Task.Run(() => PostgresProvisioner.CreateAdminDataSource(connectionString!), CancellationToken.None);
        try
        {
            _handle = await runtime.StartAsync(
                new PostgresStartRequest(server.Name, Context.State.Directory, endpoint.HostPort, server.SuperUserPassword.Value, (line, isError) => Log(line, isError)),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await (await adminDataSource.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _ = _handle.Exited.ContinueWith(t => OnExited(t.Result), TaskScheduler.Default);

        await using var dataSource = await adminDataSource.ConfigureAwait(false);
        await using var superUser = await PostgresProvisioner.OpenWhenAcceptingAsync(dataSource, _handle.Exited, Context.Options.StartupTimeout, cancellationToken).ConfigureAwait(false);
        Publish(s => s with { State = ResourceState.Running });

        var stackId = previous?.StackId ?? RandomNumberGenerator.GetHexString(32, lowercase: true);
        var (databases, identity) = await PostgresProvisioner.ProvisionAsync(
            superUser, stackId, [.. server.Databases.Select(d => (d, d.OwnerPassword.Value))], cancellationToken).ConfigureAwait(false);
        Context.State.WriteRecord(new StackRecord
        {
            StackId = stackId,
            Runtime = runtime.Name,
            CreatedAt = previous?.CreatedAt ?? DateTimeOffset.UtcNow,
            SystemIdentifier = identity.SystemIdentifier,
            PostmasterStartTime = identity.PostmasterStartTime,
            HostPort = endpoint.HostPort,
            ServerPort = identity.ServerPort,
            Databases = databases,
        });

        Publish(s => s with { State = ResourceState.Healthy });
        foreach (var database in server.Databases)
        {
            Context.Notifications.Update(database.Name, s => s with { State = ResourceState.Healthy, StartedAt = DateTimeOffset.UtcNow });
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_handle is null)
        {
            _completion.TrySetResult();
            return;
        }

        _stopping = true;
        Publish(s => s with { State = ResourceState.Stopping });
        await _handle.StopAsync(cancellationToken).ConfigureAwait(false);
        await _completion.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    private void OnExited(int exitCode)
    {
        var state = _stopping ? ResourceState.Stopped : ResourceState.Exited;
        Publish(s => s with { State = state, ExitCode = exitCode, StoppedAt = DateTimeOffset.UtcNow, Reason = _stopping ? null : $"PostgreSQL exited with code {exitCode}; see its log." });
        foreach (var database in server.Databases)
        {
            Context.Notifications.Update(database.Name, s => s with { State = state == ResourceState.Stopped ? ResourceState.Stopped : ResourceState.Exited, StoppedAt = DateTimeOffset.UtcNow });
        }

        _completion.TrySetResult();
    }
}
