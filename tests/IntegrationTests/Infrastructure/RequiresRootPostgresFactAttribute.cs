using StackModel.Hosting.Runtimes;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A test of what only an AppHost running as root does (it runs PostgreSQL as another account), with the machine's PostgreSQL
/// binaries. Skipped with the reason on a laptop (not root, or no binaries); runs, and fails on what is missing, when <c>CI=true</c>.
/// </summary>
public sealed class RequiresRootPostgresFactAttribute : FactAttribute
{
    public RequiresRootPostgresFactAttribute()
    {
        if (TestEnvironment.IsCI)
        {
            return;
        }

        if (PostgresAvailability.MissingReason is { } reason)
        {
            Skip = reason;
        }
        else if (!NativeMethods.IsRoot)
        {
            Skip = "Runs as root only: it checks where the stack keeps a cluster that the PostgreSQL account cannot reach (run the tests as root, as CI does).";
        }
    }
}
