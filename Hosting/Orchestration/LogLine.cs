namespace StackModel.Hosting.Orchestration;

/// <summary>One line a resource printed (or the orchestrator printed about it).</summary>
/// <param name="Sequence">Increasing per resource; lets a reader resume without duplicates.</param>
/// <param name="Timestamp">When the line was received.</param>
/// <param name="Text">The line, without its end-of-line.</param>
/// <param name="IsError">Whether it came from standard error.</param>
public sealed record LogLine(long Sequence, DateTimeOffset Timestamp, string Text, bool IsError);
