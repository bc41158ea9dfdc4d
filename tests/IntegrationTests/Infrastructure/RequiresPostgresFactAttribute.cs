using StackModel.Hosting.Runtimes.Process;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A test that needs the machine's PostgreSQL binaries. Without them it is skipped with the reason on a laptop, and runs
/// (and fails, saying what is missing) when <c>CI=true</c>: CI never passes by skipping.
/// </summary>
public sealed class RequiresPostgresFactAttribute : FactAttribute
{
    public RequiresPostgresFactAttribute()
    {
        if (PostgresAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
