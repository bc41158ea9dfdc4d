using Microsoft.Extensions.Configuration;
using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.State;

/// <summary>Gives every parameter its value: configuration <c>Parameters:&lt;name&gt;</c> first, then the stored or newly generated value.</summary>
internal static class ParameterResolver
{
    public static void Resolve(IEnumerable<ParameterResource> parameters, IConfiguration configuration, StackStateStore state)
    {
        foreach (var parameter in parameters)
        {
            var configured = configuration[$"Parameters:{parameter.Name}"];
            if (!string.IsNullOrEmpty(configured))
            {
                parameter.SetValue(configured);
            }
            else if (parameter.GeneratedDefault is { } generated)
            {
                parameter.SetValue(state.GetOrCreateSecret(parameter.Name, generated.Generate));
            }
            else
            {
                throw new DistributedApplicationException(
                    $"Parameter '{parameter.Name}' has no value. Set configuration key 'Parameters:{parameter.Name}' (environment variable Parameters__{parameter.Name}, " +
                    "user secrets, or appsettings.json).");
            }
        }
    }
}
