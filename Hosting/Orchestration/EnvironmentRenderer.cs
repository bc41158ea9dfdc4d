using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>Renders a resource's environment and arguments for the network context it runs in.</summary>
internal static class EnvironmentRenderer
{
    public static async Task<IReadOnlyDictionary<string, string?>> RenderEnvironmentAsync(IResource resource, NetworkContext context, CancellationToken cancellationToken = default)
    {
        var collected = new EnvironmentCallbackContext();
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(collected);
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in collected.EnvironmentVariables)
        {
            result[key] = await RenderAsync(value, context, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Returns each variable with whether its value is a secret (for masking).</summary>
    public static IReadOnlyDictionary<string, bool> SecretFlags(IResource resource)
    {
        var collected = new EnvironmentCallbackContext();
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(collected);
        }

        return collected.EnvironmentVariables.ToDictionary(kv => kv.Key, kv => kv.Value is IValueProvider { IsSecret: true }, StringComparer.Ordinal);
    }

    public static async Task<IReadOnlyList<string>> RenderArgsAsync(IResource resource, NetworkContext context, CancellationToken cancellationToken = default)
    {
        var result = new List<string>();
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsAnnotation>())
        {
            foreach (var arg in annotation.Args)
            {
                result.Add(await RenderAsync(arg, context, cancellationToken).ConfigureAwait(false) ?? string.Empty);
            }
        }

        return result;
    }

    private static async ValueTask<string?> RenderAsync(object value, NetworkContext context, CancellationToken cancellationToken) => value switch
    {
        string s => s,
        IValueProvider provider => await provider.GetValueAsync(context, cancellationToken).ConfigureAwait(false),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
