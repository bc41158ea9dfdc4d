using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// Keeps each log line with the trace and span ids of <see cref="Activity.Current"/> at the moment it was written: exactly
/// what OpenTelemetry's logging provider reads to link a log record to its span.
/// </summary>
public sealed class SpanLinkedLogProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<RecordedLog> _logs = new();

    public IReadOnlyList<RecordedLog> Logs => [.. _logs];

    public ILogger CreateLogger(string categoryName) => new Logger(_logs);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<RecordedLog> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var current = Activity.Current;
            logs.Enqueue(new RecordedLog(logLevel, eventId.Id, formatter(state, exception), current?.TraceId ?? default, current?.SpanId ?? default));
        }
    }
}
