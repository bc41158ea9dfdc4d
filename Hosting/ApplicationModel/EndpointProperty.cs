namespace StackModel.Hosting.ApplicationModel;

/// <summary>A part of an endpoint's address.</summary>
public enum EndpointProperty
{
    /// <summary><c>scheme://host:port</c>.</summary>
    Url,

    /// <summary>The host name or address.</summary>
    Host,

    /// <summary>The port.</summary>
    Port,

    /// <summary><c>host:port</c>.</summary>
    HostAndPort,
}
