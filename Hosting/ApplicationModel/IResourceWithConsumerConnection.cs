namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// A resource whose connection depends on who connects: a database hands its migration system the migrator role and every other
/// consumer the runtime role. <c>WithReference</c> asks it, at render time, for the consumer's connection.
/// </summary>
public interface IResourceWithConsumerConnection : IResourceWithConnectionString
{
    /// <summary>Gets the connection string <paramref name="consumer"/> is given.</summary>
    ReferenceExpression ConnectionStringFor(IResource consumer);

    /// <summary>Gets the connection properties <paramref name="consumer"/> is given.</summary>
    IReadOnlyList<KeyValuePair<string, ReferenceExpression>> ConnectionPropertiesFor(IResource consumer);
}
