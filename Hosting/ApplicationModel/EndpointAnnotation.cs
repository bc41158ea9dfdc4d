namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// An endpoint a resource listens on: a host port (what a process on the host uses, bound on 127.0.0.1) and a
/// target port (what the resource itself listens on, and what a peer on the stack's network uses).
/// </summary>
public sealed class EndpointAnnotation : IResourceAnnotation
{
    /// <summary>Initializes an endpoint.</summary>
    public EndpointAnnotation(string name, string scheme, int hostPort, int targetPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        Ports.ThrowIfInvalid(hostPort, nameof(hostPort));
        Ports.ThrowIfInvalid(targetPort, nameof(targetPort));
        Name = name;
        Scheme = scheme;
        HostPort = hostPort;
        TargetPort = targetPort;
    }

    /// <summary>Gets the endpoint name, unique per resource (e.g. <c>tcp</c>, <c>http</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the URI scheme (<c>tcp</c>, <c>http</c>, <c>postgresql</c>).</summary>
    public string Scheme { get; }

    /// <summary>Gets the port on 127.0.0.1 that host processes use. The testing builder replaces it with a free port.</summary>
    public int HostPort { get; internal set; }

    /// <summary>Gets the port the resource listens on inside its own network context.</summary>
    public int TargetPort { get; }

    /// <summary>Gets the address a host process uses.</summary>
    public const string HostAddress = "127.0.0.1";
}
