using StackModel.Hosting;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>What the machine offers the tests, and how long the tests wait for it.</summary>
internal static class Infrastructure
{
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every await in a test is bounded by this; longer on CI, where the machine is shared.</summary>
    public static TimeSpan Timeout => IsCI ? TimeSpan.FromSeconds(120) : TimeSpan.FromSeconds(60);

    public static string? PostgresMissingReason { get; } = FindPostgres();

    private static string? FindPostgres()
    {
        try
        {
            PostgresBinaries.Locate(null);
            return null;
        }
        catch (DistributedApplicationException ex)
        {
            return "PostgreSQL server binaries are not installed: " + ex.Message;
        }
    }
}
