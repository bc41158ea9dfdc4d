using Microsoft.Extensions.Configuration;
using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.State;

/// <summary>Gives every parameter its value: configuration <c>Parameters:&lt;name&gt;</c> first, then the stored or newly generated value.</summary>
internal static class ParameterResolver
{
    /// <param name="parameters">The model's parameters; one whose generated default is kept by the cluster (a superuser password) is never generated anew for an existing cluster.</param>
    /// <param name="configuration">Where configured values come from.</param>
    /// <param name="state">Where generated values are kept.</param>
    public static void Resolve(IEnumerable<ParameterResource> parameters, IConfiguration configuration, StackStateStore state)
    {
        var all = parameters.ToArray();
        var hasCluster = state.HasCluster;
        var fromState = all.Where(p => p.GeneratedDefault is not null && string.IsNullOrEmpty(configuration[$"Parameters:{p.Name}"])).ToArray();
        if (hasCluster && fromState.Length > 0 && !File.Exists(state.SecretsPath))
        {
            throw Lost(state, $"its secrets file '{state.SecretsPath}' is gone", fromState);
        }

        foreach (var parameter in all)
        {
            var configured = configuration[$"Parameters:{parameter.Name}"];
            if (!string.IsNullOrEmpty(configured))
            {
                parameter.SetValue(configured);
            }
            else if (parameter.GeneratedDefault is { } generated)
            {
                if (hasCluster && generated.KeptByCluster && string.IsNullOrEmpty(state.TryGetSecret(parameter.Name)))
                {
                    throw Lost(state, $"its secrets file '{state.SecretsPath}' holds no '{parameter.Name}', the password the cluster was created with", [parameter]);
                }

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

    private static DistributedApplicationException Lost(StackStateStore state, string what, IEnumerable<ParameterResource> parameters) =>
        new($"The stack's PostgreSQL cluster exists (state folder '{state.Directory}'), but {what}. A new password would lock you out of your own data, " +
            "so nothing was generated, written or started. Restore secrets.json from a backup (mode 0600), or give the values as configuration " +
            $"({string.Join(", ", parameters.Select(p => $"Parameters:{p.Name}"))}). To start over with an empty stack instead, stop the AppHost and delete the state folder " +
            "(this deletes the stack's data).");
}
