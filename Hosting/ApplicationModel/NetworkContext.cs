namespace StackModel.Hosting.ApplicationModel;

/// <summary>Where the consumer of an address runs, which decides the address it is given.</summary>
public enum NetworkContext
{
    /// <summary>A process on the host: it reaches a resource at <c>127.0.0.1:&lt;host port&gt;</c>.</summary>
    Host,

    /// <summary>A container on the stack's network: it reaches a resource at <c>&lt;resource name&gt;:&lt;target port&gt;</c>.</summary>
    ContainerNetwork,
}
