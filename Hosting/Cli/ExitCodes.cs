namespace StackModel.Hosting.Cli;

/// <summary>The AppHost's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The operation failed (server unreachable, SQL error, runner failed); the message says why.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: an unknown verb or option, an invalid value, or a destructive verb not confirmed. Nothing was changed.</summary>
    public const int InvalidInput = 2;

    /// <summary>The target guard refused: the server reached is not the stack's. Nothing was changed.</summary>
    public const int TargetMismatch = 3;

    /// <summary>Another AppHost runs on the state folder (the message names its pid). Nothing was changed.</summary>
    public const int StateFolderInUse = 4;
}
