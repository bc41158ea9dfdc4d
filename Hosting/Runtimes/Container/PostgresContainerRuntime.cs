using Microsoft.Extensions.Logging;
using StackModel.Hosting.Postgres;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Runs PostgreSQL as a container of the stack (<see cref="PostgresContainerImageTags.Reference"/>, or <c>Stack:PostgresImage</c>): alias = the resource name on
/// the stack network, 5432 published on 127.0.0.1:&lt;host port&gt;, data in the named volume <c>&lt;stack&gt;-&lt;resource&gt;-data</c>
/// (kept when the stack stops), <c>POSTGRES_PASSWORD</c> = the superuser parameter. Readiness, databases and roles are the
/// orchestrator's work over the published port, exactly as with the process runtime.
/// </summary>
internal sealed partial class PostgresContainerRuntime(ContainerStack containers, StackOptions options, ILogger<PostgresContainerRuntime> logger) : IPostgresRuntime
{
    /// <summary>The data folder inside the image (its <c>VOLUME</c>).</summary>
    public const string DataDirectory = "/var/lib/postgresql/data";

    public string Name => "container";

    public async Task<PostgresServerHandle> StartAsync(PostgresStartRequest request, CancellationToken cancellationToken = default)
    {
        var volume = containers.VolumeName(request.ResourceName, "data");
        var image = PostgresContainerImageTags.For(options);
        var spec = new ContainerSpec(request.ResourceName, image)
        {
            Ports = [(request.HostPort, PostgresServerResource.DefaultTargetPort)],
            Environment = new Dictionary<string, string?>
            {
                ["POSTGRES_PASSWORD"] = request.SuperUserPassword,
                ["POSTGRES_INITDB_ARGS"] = "--encoding=UTF8 --locale=C --no-sync", // as the process runtime's initdb
            },
            Mounts = [new ContainerMount(volume, DataDirectory, IsVolume: true, ReadOnly: false)],
            ImageHint = PostgresContainerImageTags.BuildHintFor(image),
        };

        var recorded = File.Exists(Path.Combine(request.StateDirectory, StackRecord.FileName));
        var volumeExists = await containers.VolumeExistsAsync(request.ResourceName, volume, cancellationToken).ConfigureAwait(false);
        if (recorded && !volumeExists)
        {
            // The record says this stack made a cluster in that volume, and the engine asked has none: it lives on the other
            // engine (Docker and Podman keep separate volumes), or was deleted. A new empty cluster in its place would look like lost data.
            var engine = await containers.Locator.LikelyEngineAsync(cancellationToken).ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"The stack's cluster was created in the volume '{volume}' (its record is in '{request.StateDirectory}'), and {engine?.Name ?? "the container engine"} has no such volume: " +
                "it is on the other engine (Docker and Podman keep separate volumes), or it was deleted. Nothing was created. " +
                $"Start the engine the stack was created on, or pin it with Stack:ContainerRuntime=docker|podman; to start over on {engine?.Name ?? "this engine"}, " +
                "stop the AppHost and delete the state folder (and the volume, if it still exists on the other engine), which deletes its data.");
        }

        if (!recorded && volumeExists)
        {
            // A new state folder (new passwords) on a cluster an earlier stack of this name made: never adopt it silently.
            throw new DistributedApplicationException(
                $"The volume '{volume}' already exists (an earlier stack of this name made it), but the state folder '{request.StateDirectory}' has no record of creating it (its cluster's passwords and identity are not here). " +
                $"It was left untouched. Restore that state folder, give this stack another name (Stack:Name), or delete the volume to start over ('volume rm {volume}', which deletes its data).");
        }

        var container = await containers.RunAsync(spec, request.Log, cancellationToken).ConfigureAwait(false);
        LogServerStarted(logger, request.ResourceName, container.Name, volume);
        return new PostgresServerHandle(
            created: false,
            PostgresServerResource.DefaultTargetPort,
            container.Exited,
            container.StopAsync);
    }

    /// <summary>Makes the image present for a new cluster's runtime choice (<c>Stack:Runtime=auto</c>): present, or pulled as <c>Stack:PullPolicy</c> allows.</summary>
    public Task<ImageAvailability> EnsureImageAsync(ContainerEngine engine, string resourceName, Action<string, bool> log, CancellationToken cancellationToken = default) =>
        containers.EnsureImageAsync(engine, resourceName, PostgresContainerImageTags.For(options), log, cancellationToken);

    /// <summary>How to build the image locally.</summary>
    public string BuildHint => PostgresContainerImageTags.BuildHintFor(PostgresContainerImageTags.For(options));

    [LoggerMessage(EventId = LogEvents.PostgresContainerStarted, Level = LogLevel.Debug, Message = "Started PostgreSQL '{ResourceName}' as container '{ContainerName}' on volume {Volume}")]
    private static partial void LogServerStarted(ILogger logger, string resourceName, string containerName, string volume);
}
