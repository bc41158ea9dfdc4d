namespace StackModel.Hosting.ApplicationModel;

/// <summary>Adds variables to a resource's environment.</summary>
public sealed class EnvironmentCallbackAnnotation(Action<EnvironmentCallbackContext> callback) : IResourceAnnotation
{
    /// <summary>Gets the callback.</summary>
    public Action<EnvironmentCallbackContext> Callback { get; } = callback ?? throw new ArgumentNullException(nameof(callback));
}
