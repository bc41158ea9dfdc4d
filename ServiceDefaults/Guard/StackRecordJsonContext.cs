using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// <c>stack.json</c>'s serializer, generated at compile time: every AppHost start and every guarded client reads the record,
/// and the reflection-based serializer's first use costs tens of milliseconds.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StackRecord))]
internal sealed partial class StackRecordJsonContext : JsonSerializerContext;
