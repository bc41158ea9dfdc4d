using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.State;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// What a project given a database learns about the stack's record, so it can prove its target before changing anything
/// (<see cref="StackTargetGuard"/>): <c>Stack__RecordPath</c> and <c>Stack__Databases__&lt;connection name&gt;</c>, named by
/// <see cref="StackGuardEnvironment"/>, the definition both sides share. Added by <c>WithReference</c> for every PostgreSQL
/// database, so no project can be wired to a database without it.
/// </summary>
internal static class TargetGuardEnvironment
{
    public static void Add(EnvironmentCallbackContext context, IResourceWithConnectionString resource, string connectionName)
    {
        if (resource is not PostgresDatabaseResource database)
        {
            return;
        }

        context.EnvironmentVariables[StackGuardEnvironment.RecordPathVariable] = new RecordPathValue(database.Server);
        context.EnvironmentVariables[StackGuardEnvironment.DatabaseVariable(connectionName)] = database.DatabaseName;
    }

    /// <summary>Tells every server where its stack record is, once the state folder is known.</summary>
    public static void SetRecordPaths(DistributedApplicationModel model, StackStateStore state)
    {
        foreach (var server in model.Resources.OfType<PostgresServerResource>())
        {
            server.RecordPath = state.RecordPath;
        }
    }

    /// <summary>
    /// The record's path on the host; empty (the guard then counts as not configured) for a model rendered without a state folder,
    /// as model tests do: a project started by the stack always gets it. A container consumer reads it only where the state folder
    /// is mounted at the same path.
    /// </summary>
    private sealed class RecordPathValue(PostgresServerResource server) : IValueProvider
    {
        public string ValueExpression => $"{{{server.Name}.stackRecord}}";

        public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<string?>(server.RecordPath ?? string.Empty);
    }
}
