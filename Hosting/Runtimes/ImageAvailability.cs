namespace StackModel.Hosting.Runtimes;

/// <summary>Whether an image can be run now (present locally, or just pulled), and why or why not.</summary>
/// <param name="Available">The image is present locally now.</param>
/// <param name="Reason">How it came to be present, or why it is not (the engine's own error for a failed pull).</param>
/// <param name="Fix">When it is not present: how to make it present on this engine (a command to run), if one is known.</param>
internal sealed record ImageAvailability(bool Available, string Reason, string? Fix = null);
