namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// A test that needs the PostgreSQL binaries (and, when <see cref="RequiresNode"/>, node for drizzle-orm).
/// Skipped with the reason on a laptop that lacks them; never skipped when CI=true, where it fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Gets or sets a value indicating whether the test also runs drizzle-orm on node.</summary>
    public bool RequiresNode { get; set; }

    public override string? Skip
    {
        get => base.Skip ?? MissingInfrastructure(RequiresNode);
        set => base.Skip = value;
    }

    internal static string? MissingInfrastructure(bool requiresNode)
    {
        if (TestEnvironment.IsCI)
        {
            return null;
        }

        if (PostgresAvailability.MissingReason is { } missing)
        {
            return missing + " On CI this test fails instead.";
        }

        if (requiresNode && !DrizzleCli.NodeAvailable)
        {
            return "node is not on PATH; it runs drizzle-orm's own migrator (apt-get install nodejs npm). On CI this test fails instead.";
        }

        return null;
    }
}
