namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The theory form of <see cref="RequiresPostgresFactAttribute"/>: skipped with the reason on a laptop without PostgreSQL, run (and failing) when <c>CI=true</c>.</summary>
public sealed class RequiresPostgresTheoryAttribute : TheoryAttribute
{
    public RequiresPostgresTheoryAttribute()
    {
        if (Infrastructure.PostgresMissingReason is { } reason && !Infrastructure.IsCI)
        {
            Skip = reason;
        }
    }
}
