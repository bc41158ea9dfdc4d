namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>Every await in these tests is bounded; CI machines are slower and shared, so they get longer.</summary>
internal static class RunnerTimeouts
{
    /// <summary>The bound of one test's work.</summary>
    public static TimeSpan Test { get; } = TestTimeouts.Scaled(TimeSpan.FromSeconds(120));

    /// <summary>The bound of starting or stopping the throwaway PostgreSQL server (npm ci included on a first run).</summary>
    public static TimeSpan Infrastructure { get; } = TestTimeouts.Scaled(TimeSpan.FromSeconds(180));

    /// <summary>A token that fires after <see cref="Test"/>.</summary>
    public static CancellationTokenSource ForTest() => new(Test);
}
