using StackModel.MigrationRunner.Folders;

namespace StackModel.MigrationRunner;

/// <summary>
/// The one exception type of the runner: a refusal or failure with the exit code it maps to, and a message that
/// names the file or resource, shows expected versus actual and ends with the fix.
/// </summary>
internal sealed class MigrationException : Exception
{
    public MigrationException(MigrationExitCode exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>Gets the exit code this failure maps to.</summary>
    public MigrationExitCode ExitCode { get; }

    /// <summary>Gets the migration whose statement failed, when the failure belongs to one.</summary>
    public MigrationScript? Script { get; init; }
}
