namespace StackModel.Hosting.State;

/// <summary>Another AppHost holds the state folder's lock: this one refused before writing anything (exit code 4).</summary>
internal sealed class StateFolderInUseException : DistributedApplicationException
{
    public StateFolderInUseException()
    {
    }

    public StateFolderInUseException(string message)
        : base(message)
    {
    }

    public StateFolderInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StateFolderInUseException(string message, int? holderProcessId, Exception innerException)
        : base(message, innerException)
    {
        HolderProcessId = holderProcessId;
    }

    /// <summary>Gets the id of the process that holds the lock, as it wrote it into the lock file, when it could be read.</summary>
    public int? HolderProcessId { get; }
}
