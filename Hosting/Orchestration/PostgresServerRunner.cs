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

    /// <summary>A server that ends unasked has Exited, whatever its exit code.</summary>
    protected override bool FinishesOnCleanExit => false;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var previous = await Context.State.ReadRecordAtStartAsync().ConfigureAwait(false);
        if (previous is not null && previous.Runtime != runtime.Name)
        {
            throw new DistributedApplicationException(
                $"The stack's PostgreSQL cluster in '{Context.State.Directory}' was created by the {previous.Runtime} runtime, and this start chose the {runtime.Name} runtime. " +
                $"Data is never left behind or replaced silently: set Stack:Runtime={previous.Runtime} (or auto) to keep using it. To switch on purpose, stop the AppHost and " +
                $"delete the state folder{(previous.Runtime == "container" ? $" and the volume '{previous.ContainerVolume ?? Runtimes.Container.ContainerStackNames.LegacyVolume(Context.Options.Name, server.Name, "data")}' (podman/docker volume rm)" : string.Empty)}: " +
                "this deletes the cluster and its data ('reset --recreate' recreates one database, not the cluster).");
        }

        StartupTimeline.Mark($"{server.Name}: stack record read");
        var endpoint = server.Endpoint.Annotation;
        PublishStarting(runtime.Name);
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
                new PostgresStartRequest(server.Name, Context.State.Directory, endpoint.HostPort, server.SuperUserPassword.Value, (line, isError) => Log(line, isError))
                {
                    Databases = [.. server.Databases.Select(d => d.DatabaseName)],
                },
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
        PublishRunning();
        StartupTimeline.Mark($"{server.Name}: connected as the superuser");

        var stackId = previous?.StackId ?? RandomNumberGenerator.GetHexString(32, lowercase: true);
        var (databases, identity) = await PostgresProvisioner.ProvisionAsync(
            superUser, stackId, [.. server.Databases.Select(d => (d, d.OwnerPassword.Value))], cancellationToken).ConfigureAwait(false);
        StartupTimeline.Mark($"{server.Name}: provisioned (roles, databases, grants)");
        Context.State.WriteRecord(new StackRecord
        {
            StackId = stackId,
            Runtime = runtime.Name,
            ContainerVolume = _handle.Volume,
            CreatedAt = previous?.CreatedAt ?? DateTimeOffset.UtcNow,
            SystemIdentifier = identity.SystemIdentifier,
            PostmasterStartTime = identity.PostmasterStartTime,
            HostPort = endpoint.HostPort,
            ServerPort = identity.ServerPort,
            Databases = databases,
        });

        Publish(s => s with { State = ResourceState.Healthy });
        ClearDependentsNote();
        foreach (var database in server.Databases)
        {
            Context.Notifications.Update(database.Name, s => s with { State = ResourceState.Healthy, StartedAt = DateTimeOffset.UtcNow });
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var handle = _handle;
        await StopRunningAsync(handle is null ? null : handle.StopAsync, cancellationToken).ConfigureAwait(false);
    }

    private void OnExited(int exitCode)
    {
        if (StateOnExit(exitCode) == ResourceState.Stopped)
        {
            foreach (var database in server.Databases)
            {
                Context.Notifications.Update(database.Name, s => s with { State = ResourceState.Stopped, StoppedAt = DateTimeOffset.UtcNow });
            }

            PublishExit(exitCode);
            return;
        }

        // Not stopped by the stack (kill -9, a crash, an OOM kill): say how it ended and how to bring it back, on the server, its
        // databases and whatever uses them, so no dependent looks healthy while its database is gone.
        var how = ExitStatus.Describe(exitCode);
        var restart = $"Restart it from the dashboard or with: dotnet run --project AppHost -- restart {server.Name}";
        var reason = $"PostgreSQL {how}, not stopped by the stack; committed data is kept (crash recovery runs on the next start). {restart}";
        Log($"PostgreSQL {how}.", isError: true);
        foreach (var database in server.Databases)
        {
            Context.Notifications.Update(database.Name, s => s with
            {
                State = ResourceState.Exited,
                StoppedAt = DateTimeOffset.UtcNow,
                Reason = $"Its server '{server.Name}' {how}. {restart}",
            });
        }

        var note = DependentsNotePrefix + $"{how}. {restart}";
        foreach (var dependent in Dependents())
        {
            if (Context.Notifications.TryGetSnapshot(dependent.Name) is { State: ResourceState.Running or ResourceState.Healthy or ResourceState.Unhealthy or ResourceState.Starting })
            {
                Context.Notifications.Update(dependent.Name, s => s with { Reason = note });
            }
        }

        PublishExit(exitCode, reason); // last: whoever waits for Completion sees the databases and dependents told
    }

    /// <summary>How the note on a dependent starts, so that a later healthy start of the server (another runner) can clear it.</summary>
    private string DependentsNotePrefix => $"'{server.Name}', which it uses, ";

    /// <summary>Clears the note <see cref="OnExited"/> left on running dependents, once a new start of the server is healthy.</summary>
    /// <remarks>
    /// Found by the note itself, not by <see cref="Dependents"/>: the server starts while the rest of the stack is still being set
    /// up (the dashboard's telemetry adds annotations to the other resources meanwhile), so its start reads no other resource's annotations.
    /// </remarks>
    private void ClearDependentsNote()
    {
        foreach (var resource in Context.Model.Resources)
        {
            if (Context.Notifications.TryGetSnapshot(resource.Name)?.Reason?.StartsWith(DependentsNotePrefix, StringComparison.Ordinal) == true)
            {
                Context.Notifications.Update(resource.Name, s => s with { Reason = null });
            }
        }
    }

    /// <summary>The resources that wait for or reference this server or one of its databases.</summary>
    private IEnumerable<IResource> Dependents()
    {
        var uses = new HashSet<IResource>([server, .. server.Databases]);
        return Context.Model.Resources.Where(r => !uses.Contains(r) && (
            r.Annotations.OfType<WaitAnnotation>().Any(w => uses.Contains(w.Resource)) ||
            r.Annotations.OfType<ResourceReferenceAnnotation>().Any(a => uses.Contains(a.Resource))));
    }
}
