namespace StackModel.Hosting;

/// <summary>The one exception type of StackModel: its message says what is wrong and how to fix it.</summary>
public class DistributedApplicationException : Exception
{
    /// <summary>Initializes the exception.</summary>
    public DistributedApplicationException()
    {
    }

    /// <summary>Initializes the exception with a message.</summary>
    public DistributedApplicationException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with a message and its cause.</summary>
    public DistributedApplicationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
