using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Reads a network's IPv4 gateway from <c>network inspect</c>'s JSON: Docker's <c>IPAM.Config[].Gateway</c>, Podman's
/// <c>subnets[].gateway</c> (both found as the first property named gateway, whatever its case).
/// </summary>
internal static class NetworkGateway
{
    public static IPAddress? Parse(string inspectJson)
    {
        try
        {
            using var document = JsonDocument.Parse(inspectJson);
            return Find(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IPAddress? Find(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (string.Equals(property.Name, "gateway", StringComparison.OrdinalIgnoreCase)
                        && property.Value.ValueKind == JsonValueKind.String
                        && IPAddress.TryParse(property.Value.GetString(), out var address)
                        && address.AddressFamily == AddressFamily.InterNetwork)
                    {
                        return address;
                    }

                    if (Find(property.Value) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
