using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>One log line as the runner wrote it, with the span that was current then (what OpenTelemetry's logger exports).</summary>
public sealed record RecordedLog(LogLevel Level, int EventId, string Message, ActivityTraceId TraceId, ActivitySpanId SpanId);
