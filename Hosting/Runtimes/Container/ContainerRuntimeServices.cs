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
        services.AddSingleton<ContainerEngineLocator>();
        services.AddSingleton<IContainerEngineProbe>(sp => sp.GetRequiredService<ContainerEngineLocator>());
        services.AddSingleton<ContainerStack>();
        services.AddSingleton<PostgresContainerRuntime>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StackOptions>();
            var stateDirectory = Path.GetFullPath(options.StateDirectory ?? Path.Combine(appHostDirectory, ".stackmodel"), appHostDirectory);
            return new PostgresRuntimeSelector(
                options,
                stateDirectory,
                sp.GetRequiredService<PostgresProcessRuntime>(),
                sp.GetRequiredService<PostgresContainerRuntime>(),
                sp.GetRequiredService<ContainerEngineLocator>(),
                sp.GetRequiredService<ILogger<PostgresRuntimeSelector>>());
        });
        services.AddSingleton<IPostgresRuntime>(sp => sp.GetRequiredService<PostgresRuntimeSelector>().Select());
    }
}
