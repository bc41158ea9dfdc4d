using System.Net;
using System.Net.Sockets;

namespace StackModel.Hosting.Testing;

/// <summary>Asks the OS for free TCP ports on 127.0.0.1.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
