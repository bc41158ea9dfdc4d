namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>The <see cref="PostgresFactAttribute"/> rule for theories.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    /// <summary>Gets or sets a value indicating whether the test also runs drizzle-orm on node.</summary>
    public bool RequiresNode { get; set; }

    public override string? Skip
    {
        get => base.Skip ?? PostgresFactAttribute.MissingInfrastructure(RequiresNode);
        set => base.Skip = value;
    }
}
