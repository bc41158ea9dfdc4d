using System.Collections.Frozen;

namespace StackModel.Hosting.Dashboard;

/// <summary>The page's HTML, script and stylesheet, embedded in the assembly (no front-end build step, nothing from a CDN).</summary>
internal static class DashboardAssets
{
    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["structuredlogs.html"] = "text/html; charset=utf-8",
        ["traces.html"] = "text/html; charset=utf-8",
        ["metrics.html"] = "text/html; charset=utf-8",
        ["telemetry.js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Returns the asset and its content type, or <see langword="null"/> when there is no such asset.</summary>
    public static (byte[] Content, string ContentType)? Get(string name)
    {
        if (!ContentTypes.TryGetValue(name, out var contentType))
        {
            return null;
        }

        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("StackModel.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}; check the EmbeddedResource items of Hosting.csproj.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return (buffer.ToArray(), contentType);
    }
}
