namespace StackModel.Hosting.Runtimes.Container;

/// <summary>Reads <c>Stack:PullPolicy</c>.</summary>
internal static class ImagePullPolicies
{
    /// <summary>Parses the setting (case-insensitive; empty means <c>missing</c>).</summary>
    /// <exception cref="DistributedApplicationException">The value is none of <c>missing</c>, <c>never</c>, <c>always</c>.</exception>
    public static ImagePullPolicy Parse(string? value) => (value ?? string.Empty).Trim().ToLowerInvariant() switch
    {
        "" or "missing" => ImagePullPolicy.Missing,
        "never" => ImagePullPolicy.Never,
        "always" => ImagePullPolicy.Always,
        _ => throw new DistributedApplicationException(
            $"Stack:PullPolicy is '{value}'; expected missing (pull an image only when it is not present locally), never or always. Fix the setting, or remove it for missing."),
    };

    /// <summary>The setting as written in configuration.</summary>
    public static string Name(ImagePullPolicy policy) => policy.ToString().ToLowerInvariant();
}
