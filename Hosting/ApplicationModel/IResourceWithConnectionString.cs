namespace StackModel.Hosting.ApplicationModel;

/// <summary>A resource that other resources connect to with a connection string.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>Gets the Npgsql-style keyword connection string, rendered per consumer context.</summary>
    ReferenceExpression ConnectionStringExpression { get; }

    /// <summary>Gets the named properties injected as <c>&lt;NAME&gt;_&lt;PROPERTY&gt;</c> by a reference.</summary>
    IReadOnlyList<KeyValuePair<string, ReferenceExpression>> ConnectionProperties { get; }
}
