namespace StackModel.Hosting.Control;

/// <summary>The answer to a <see cref="ControlRequest"/>: one JSON line.</summary>
/// <param name="Status"><see cref="Done"/>, <see cref="Invalid"/> (nothing was changed) or <see cref="Failed"/>.</param>
/// <param name="Message">What happened, or why not and what to do.</param>
/// <param name="State">The resource's state when the action ended.</param>
/// <param name="ElapsedMilliseconds">How long the action took.</param>
internal sealed record ControlResponse(string Status, string Message, string? State = null, long ElapsedMilliseconds = 0)
{
    public const string Done = "done";
    public const string Invalid = "invalid";
    public const string Failed = "failed";
}
