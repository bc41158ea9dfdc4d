namespace StackModel.ServiceDefaults;

/// <summary>The AppHost closed the process's start gate instead of opening it (see <see cref="StartGate"/>).</summary>
public sealed class StartGateClosedException : Exception
{
    /// <summary>Initializes the exception.</summary>
    public StartGateClosedException()
    {
    }

    /// <summary>Initializes the exception with its message.</summary>
    public StartGateClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with its message and cause.</summary>
    public StartGateClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
