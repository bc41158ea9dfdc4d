using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackModel.Hosting.Control;

/// <summary>The control socket's serializer, generated at compile time (one line of JSON each way, written without indentation).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
