namespace StackModel.Hosting.ApplicationModel;

/// <summary>Collects the environment of a resource; values are strings or <see cref="IValueProvider"/>s.</summary>
public sealed class EnvironmentCallbackContext
{
    /// <summary>Gets the variables collected so far.</summary>
    public IDictionary<string, object> EnvironmentVariables { get; } = new Dictionary<string, object>(StringComparer.Ordinal);
}
