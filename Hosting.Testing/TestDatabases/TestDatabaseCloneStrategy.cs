namespace StackModel.Hosting.Testing;

/// <summary>How PostgreSQL copies the template into a test database (<c>CREATE DATABASE ... STRATEGY</c>, PostgreSQL 15 and later).</summary>
public enum TestDatabaseCloneStrategy
{
    /// <summary>Block by block through the write-ahead log: no checkpoint (PostgreSQL's default since 15).</summary>
    WalLog,

    /// <summary>File by file, with a checkpoint before and after the copy (PostgreSQL's only way before 15).</summary>
    FileCopy,
}
