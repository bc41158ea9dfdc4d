namespace StackModel.Hosting.Control;

/// <summary>One request on the control socket: a JSON line <c>{"action":"restart","resource":"postgres"}</c>.</summary>
/// <param name="Action">What to do: <c>restart</c>.</param>
/// <param name="Resource">The resource's name in the AppHost model.</param>
internal sealed record ControlRequest(string? Action, string? Resource);
