namespace StackModel.Benchmarks.TelemetryLoad;

/// <summary>One OTLP request body captured from the OpenTelemetry .NET exporter, and how many spans, records or points it holds.</summary>
internal sealed record Payload(byte[] Body, int Items);
