using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>What PostgreSQL's resources say about themselves (<see cref="ResourceKindAnnotation"/>), registered by <c>AddPostgres</c> and <c>AddDatabase</c>.</summary>
internal static class PostgresResourceKinds
{
    /// <summary>A server: started by the PostgreSQL launcher, ready once it accepts connections and its databases are provisioned.</summary>
    public static ResourceKindAnnotation Server { get; } = new()
    {
        DisplayType = "Postgres",
        Starter = ResourceStarter.PostgresLauncher,
        ReportsReadiness = true,
    };

    /// <summary>A database: started with its server, ready with it; shown by its URL.</summary>
    public static ResourceKindAnnotation Database { get; } = new()
    {
        DisplayType = "Database",
        Starter = ResourceStarter.Parent,
        ReportsReadiness = true,
        HostUrls = resource => resource is PostgresDatabaseResource database
            ? [$"{database.Server.Endpoint.Render(EndpointProperty.Url, NetworkContext.Host)}/{database.DatabaseName}"]
            : [],
    };
}
