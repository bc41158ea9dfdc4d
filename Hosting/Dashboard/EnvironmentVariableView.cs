namespace StackModel.Hosting.Dashboard;

/// <summary>One environment variable of a resource as listed on the page: its name only; the value comes from a reveal request.</summary>
/// <param name="Name">The variable name.</param>
/// <param name="IsSecret">Whether the value holds a secret (a password, a key); shown with a warning when revealed.</param>
internal sealed record EnvironmentVariableView(string Name, bool IsSecret);
