namespace StackModel.Hosting.Testing;

/// <summary>
/// How a test stack hands out test databases (<see cref="TestDatabaseExtensions.CreateTestDatabaseAsync"/>), read from the test stack's
/// configuration section <c>Testing:Databases</c>, e.g. <c>--Testing:Databases:PoolSize=0</c> as an argument of the testing builder.
/// </summary>
public sealed class TestDatabaseOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Testing:Databases";

    /// <summary>
    /// Gets or sets how many ready test databases are kept cloned in the background, so that a test usually just takes one;
    /// 0 clones each one when it is asked for. Default: the machine's core count, at least 2 and at most 8.
    /// </summary>
    public int? PoolSize { get; set; }

    /// <summary>Gets or sets how the template is copied. Default: <see cref="TestDatabaseCloneStrategy.FileCopy"/> (measured: README, "Testing your app").</summary>
    public TestDatabaseCloneStrategy Strategy { get; set; } = TestDatabaseCloneStrategy.FileCopy;

    /// <summary>Gets how many clones refill the pool at once (the benchmark compares 1 and 2); not a configuration key.</summary>
    internal int Fillers { get; init; } = 2;

    /// <summary>Gets whether pooled clones get the types Npgsql loaded for an earlier clone (<see cref="CloneTypeCatalog"/>); not a configuration key (the benchmark compares both).</summary>
    internal bool ShareTypes { get; init; } = true;

    internal int EffectivePoolSize => Math.Max(0, PoolSize ?? Math.Clamp(Environment.ProcessorCount, 2, 8));
}
