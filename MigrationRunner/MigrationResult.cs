using StackModel.MigrationRunner.Folders;

namespace StackModel.MigrationRunner;

/// <summary>
/// The outcome of one run, in the shape of DbUp's <c>DatabaseUpgradeResult</c>: what was applied, whether it
/// succeeded, and if not, the error, the script it belongs to and the exit code it maps to.
/// </summary>
internal sealed class MigrationResult
{
    private MigrationResult(IReadOnlyList<MigrationScript> scripts, MigrationExitCode exitCode, Exception? error, MigrationScript? errorScript)
    {
        Scripts = scripts;
        ExitCode = exitCode;
        Error = error;
        ErrorScript = errorScript;
    }

    /// <summary>Gets the migrations applied by this run, in the order they were applied (empty when nothing was pending or the run failed).</summary>
    public IReadOnlyList<MigrationScript> Scripts { get; }

    /// <summary>Gets a value indicating whether the database is up to date.</summary>
    public bool Successful => ExitCode == MigrationExitCode.Success;

    /// <summary>Gets the exit code the process returns for this outcome.</summary>
    public MigrationExitCode ExitCode { get; }

    /// <summary>Gets the error that stopped the run, or <see langword="null"/> when it succeeded.</summary>
    public Exception? Error { get; }

    /// <summary>Gets the migration whose statement failed, when the failure belongs to one.</summary>
    public MigrationScript? ErrorScript { get; }

    public static MigrationResult Success(IReadOnlyList<MigrationScript> scripts) => new(scripts, MigrationExitCode.Success, null, null);

    public static MigrationResult Failure(MigrationException error) => new([], error.ExitCode, error, error.Script);

    public static MigrationResult Failure(MigrationExitCode exitCode, Exception error) => new([], exitCode, error, null);
}
