namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// The connection reached another server, cluster or database than the one the stack recorded. The message shows, for each
/// checked field, the expected value (from the stack record), the actual one (from the connection), and which file holds the expectation.
/// </summary>
public sealed class TargetMismatchException : StackGuardException
{
    /// <summary>Initializes the exception.</summary>
    public TargetMismatchException()
    {
        Actual = null;
        RecordPath = string.Empty;
    }

    /// <summary>Initializes the exception with a message.</summary>
    public TargetMismatchException(string message)
        : base(message)
    {
        RecordPath = string.Empty;
    }

    /// <summary>Initializes the exception with a message and its cause.</summary>
    public TargetMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        RecordPath = string.Empty;
    }

    internal TargetMismatchException(string message, ServerIdentity actual, string recordPath, IReadOnlyList<string> mismatchedFields)
        : base(message)
    {
        Actual = actual;
        RecordPath = recordPath;
        MismatchedFields = mismatchedFields;
    }

    /// <summary>Gets what the connection reached.</summary>
    public ServerIdentity? Actual { get; }

    /// <summary>Gets the stack record that holds the expectation.</summary>
    public string RecordPath { get; }

    /// <summary>Gets the names of the fields that differ (e.g. <c>system identifier</c>, <c>server port</c>).</summary>
    public IReadOnlyList<string> MismatchedFields { get; } = [];
}
