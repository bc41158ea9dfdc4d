using StackModel.Hosting.Runtimes.Process;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A theory that needs the machine's PostgreSQL binaries. Without them it is skipped with the reason on a laptop, and runs
/// (and fails, saying what is missing) when <c>CI=true</c>: CI never passes by skipping.
/// </summary>
public sealed class RequiresPostgresTheoryAttribute : TheoryAttribute
{
    public RequiresPostgresTheoryAttribute()
    {
        if (PostgresAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
