namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// The stack's target guard refused: its record is missing or unreadable, or (<see cref="TargetMismatchException"/>) the
/// connection reached another server or database than the one the stack recorded. Nothing was changed when it is thrown.
/// </summary>
public class StackGuardException : Exception
{
    /// <summary>Initializes the exception.</summary>
    public StackGuardException()
    {
    }

    /// <summary>Initializes the exception with a message that says what to do.</summary>
    public StackGuardException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with a message that says what to do, and its cause.</summary>
    public StackGuardException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
