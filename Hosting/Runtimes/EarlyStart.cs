using Microsoft.Extensions.Configuration;
using StackModel.Hosting.Cli;

namespace StackModel.Hosting.Runtimes;

/// <summary>
/// What the early starts of a warm start (<see cref="Process.EarlyPostgresLaunch"/>, <see cref="Container.EarlyPostgresContainer"/>)
/// have in common: whether this start may start PostgreSQL before its model is built, and where its state folder is.
/// </summary>
internal static class EarlyStart
{
    /// <summary>
    /// The state folder of this start when it may start PostgreSQL early on <paramref name="runtime"/> (<c>process</c> or
    /// <c>container</c>): the plain run (no verb), not the testing builder nor a test cluster, and <c>Stack:Runtime</c> auto or
    /// <paramref name="runtime"/>; <see langword="null"/> otherwise. Reads <paramref name="configuration"/> on the caller's thread.
    /// </summary>
    public static string? StateDirectory(string[] args, IConfiguration configuration, string appHostDirectory, string runtime)
    {
        if (OperatingSystem.IsWindows() || CommandLine.VerbArgs(args).Length > 0 || HostingDiagnostics.IsObserved
            || string.Equals(configuration["Stack:TestCluster"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return null; // a verb, the testing builder, a test cluster
        }

        var configured = configuration["Stack:Runtime"]?.Trim();
        if (configured is { Length: > 0 } && !configured.Equals("auto", StringComparison.OrdinalIgnoreCase) && !configured.Equals(runtime, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return StackOptions.ResolveStateDirectory(configuration["Stack:StateDirectory"] is { Length: > 0 } folder ? folder : null, appHostDirectory);
    }
}
