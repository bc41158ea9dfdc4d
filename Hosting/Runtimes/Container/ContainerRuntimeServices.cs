using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>Registers both PostgreSQL runtimes, the container engine and the runtime choice with the AppHost's services.</summary>
internal static class ContainerRuntimeServices
{
    public static void Add(IServiceCollection services, string appHostDirectory)
    {
        services.AddSingleton<PostgresProcessRuntime>();
        services.AddSingleton(sp => new ContainerEngineLocator(
            sp.GetRequiredService<StackOptions>(), sp.GetRequiredService<ILogger<ContainerEngineLocator>>(), StateDirectory(sp.GetRequiredService<StackOptions>(), appHostDirectory)));
        services.AddSingleton<IContainerEngineProbe, StackContainerProbe>();
        services.AddSingleton(sp => new ContainerStack(
            sp.GetRequiredService<StackOptions>(), sp.GetRequiredService<ContainerEngineLocator>(), StateDirectory(sp.GetRequiredService<StackOptions>(), appHostDirectory), sp.GetRequiredService<ILogger<ContainerStack>>()));
        services.AddSingleton<PostgresContainerRuntime>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StackOptions>();
            return new PostgresRuntimeSelector(
                options,
                StateDirectory(options, appHostDirectory),
                sp.GetRequiredService<PostgresProcessRuntime>(),
                sp.GetRequiredService<PostgresContainerRuntime>(),
                sp.GetRequiredService<ContainerEngineLocator>(),
                sp.GetRequiredService<ILogger<PostgresRuntimeSelector>>());
        });
        services.AddSingleton<IPostgresRuntime>(sp => sp.GetRequiredService<PostgresRuntimeSelector>().Select());
    }

    /// <summary>
    /// Begins the start of every PostgreSQL server of <paramref name="model"/> that runs as a container (its network and volume
    /// check, see <see cref="PostgresContainerRuntime.BeginStart"/>): called once the state folder is locked and the runtime chosen.
    /// </summary>
    /// <param name="services">The AppHost's services.</param>
    /// <param name="model">The stack.</param>
    /// <param name="recordAtStart">The stack record as the start found it (which names an existing cluster's volume).</param>
    public static void BeginStarts(IServiceProvider services, ApplicationModel.DistributedApplicationModel model, Func<Task<ServiceDefaults.Guard.StackRecord?>> recordAtStart)
    {
        if (services.GetRequiredService<IPostgresRuntime>().Name != "container")
        {
            return;
        }

        var runtime = services.GetRequiredService<PostgresContainerRuntime>();
        var peers = model.Resources.OfType<ApplicationModel.ContainerResource>().Any(r => ApplicationModel.ResourcePlacement.Of(r).Kind == ApplicationModel.PlacementKind.Container);
        foreach (var server in model.Resources.OfType<Postgres.PostgresServerResource>())
        {
            runtime.BeginStart(server.Name, peersOnNetwork: peers, recordAtStart());
        }
    }

    /// <summary>The state folder as <see cref="DistributedApplication.StateDirectory"/> resolves it.</summary>
    private static string StateDirectory(StackOptions options, string appHostDirectory) =>
        Path.GetFullPath(options.StateDirectory ?? Path.Combine(appHostDirectory, ".stackmodel"), appHostDirectory);
}
