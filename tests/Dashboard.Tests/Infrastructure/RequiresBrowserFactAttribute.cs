namespace StackModel.Dashboard.Tests.Infrastructure;

/// <summary>
/// A test that drives headless Chromium against a real stack (PostgreSQL included). Without either it is skipped with the
/// reason on a laptop, and runs (and fails, saying what is missing) when <c>CI=true</c>: CI never passes by skipping.
/// </summary>
public sealed class RequiresBrowserFactAttribute : FactAttribute
{
    public RequiresBrowserFactAttribute()
    {
        var reason = Machine.ChromiumMissingReason ?? PostgresAvailability.MissingReason;
        if (reason is not null && !TestEnvironment.IsCI)
        {
            Skip = reason;
        }
    }
}
