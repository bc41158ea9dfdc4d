using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// The AppHost's console log format, one line per event ("12:04:05 warn: Category[1002] message"), handed to the live view
/// when one owns the terminal (<see cref="ConsoleLogSink"/>) and written by the console logger otherwise.
/// </summary>
internal sealed class StackConsoleFormatter(ConsoleLogSink sink) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "stackmodel";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var line = Format(DateTime.Now, logEntry.LogLevel, logEntry.Category, logEntry.EventId, message, logEntry.Exception);
        if (!sink.TryWrite(line))
        {
            textWriter.WriteLine(line);
        }
    }

    internal static string Format(DateTime time, LogLevel level, string category, EventId eventId, string? message, Exception? exception)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{time:HH:mm:ss} {Level(level)}: {category}[{eventId.Id}] {message}");
        return exception is null ? line : line + Environment.NewLine + exception;
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };
}
