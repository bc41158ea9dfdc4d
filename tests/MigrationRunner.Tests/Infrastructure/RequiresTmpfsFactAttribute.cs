namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// A test that mounts a small tmpfs and runs its own PostgreSQL cluster on it (root, mount, runuser, the PostgreSQL binaries).
/// Skipped with the reason on a laptop that lacks them; never skipped when CI=true, where it fails instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    public override string? Skip
    {
        get => base.Skip ?? (TestEnvironment.IsCI ? null : TmpfsCluster.MissingInfrastructure() is { } reason ? reason + " On CI this test fails instead." : null);
        set => base.Skip = value;
    }
}
