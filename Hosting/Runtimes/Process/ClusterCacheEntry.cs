using System.Globalization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>What a cache entry recorded when it was built (<c>entry.json</c>, mode 0600): its key, its password, and its files' fingerprint.</summary>
internal sealed class ClusterCacheEntry
{
    public required string Key { get; init; }

    public required string Password { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? PostgresVersion { get; init; }

    public long Files { get; init; }

    public long Bytes { get; init; }

    public required string ControlFileSha256 { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PostgresVersion} {Files} files {Bytes} bytes");
}
