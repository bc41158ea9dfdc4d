namespace StackModel.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// A fact that needs PostgreSQL server binaries: skipped with a visible reason on a machine without them,
/// run (and failed by <see cref="PostgresServerFixture"/>) when <c>CI=true</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServerFixture.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
