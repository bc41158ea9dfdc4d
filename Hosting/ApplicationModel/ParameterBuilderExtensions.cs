namespace StackModel.Hosting.ApplicationModel;

/// <summary>Declares parameters.</summary>
public static class ParameterBuilderExtensions
{
    /// <summary>Adds a parameter whose value comes from configuration key <c>Parameters:&lt;name&gt;</c>.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ParameterResource(name, secret));
    }

    /// <summary>
    /// Adds a parameter whose value comes from <c>Parameters:&lt;name&gt;</c> or, when that is not set, is generated once
    /// and kept in the stack's state folder (mode 0600) so it never changes afterwards.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, GeneratedParameterDefault generatedDefault, bool secret = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(generatedDefault);
        return builder.AddResource(new ParameterResource(name, secret, generatedDefault));
    }
}
