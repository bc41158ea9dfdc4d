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
    /// check, and on a warm start the container itself, see <see cref="PostgresContainerRuntime.BeginStart"/>): called once the
    /// state folder is locked, its parameters resolved and the runtime chosen.
    /// </summary>
    public static void BeginStarts(IServiceProvider services, ApplicationModel.DistributedApplicationModel model, State.StackStateStore state)
    {
        if (services.GetRequiredService<IPostgresRuntime>().Name != "container")
        {
            return;
        }

        var runtime = services.GetRequiredService<PostgresContainerRuntime>();
        var logs = services.GetRequiredService<Orchestration.ResourceLoggerService>();
        var peers = model.Resources.OfType<ApplicationModel.ContainerResource>().Any(r => ApplicationModel.ResourcePlacement.Of(r).Kind == ApplicationModel.PlacementKind.Container);
        foreach (var server in model.Resources.OfType<Postgres.PostgresServerResource>())
        {
            // What the server's runner will ask for (PostgresServerRunner), from the same model and state folder.
            var name = server.Name;
            var request = new PostgresStartRequest(name, state.Directory, server.Endpoint.Annotation.HostPort, server.SuperUserPassword.Value, (line, isError) => logs.Write(name, line, isError));
            runtime.BeginStart(name, peersOnNetwork: peers, warm: (request, state.PeekRecordAtStartAsync));
        }
    }

    /// <summary>The state folder as <see cref="DistributedApplication.StateDirectory"/> resolves it.</summary>
    private static string StateDirectory(StackOptions options, string appHostDirectory) =>
        StackOptions.ResolveStateDirectory(options.StateDirectory, appHostDirectory);
}
