using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>The serializer of a cluster cache entry's <c>entry.json</c>, generated at compile time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ClusterCacheEntry))]
internal sealed partial class ClusterCacheJsonContext : JsonSerializerContext;
