using System.Security.Cryptography;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>Generates a random value of letters and digits (safe in URIs, YAML and shells without quoting).</summary>
public sealed class GeneratedParameterDefault
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Gets or sets the length; at least 22. Default 32.</summary>
    public int Length { get; init; } = 32;

    /// <summary>Gets or sets a fixed prefix, e.g. <c>sk-</c> for LiteLLM keys.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>
    /// Gets a value indicating whether an existing cluster was created with this value (a superuser password): it is never
    /// generated anew for that cluster, which would lock the stack out of its own data.
    /// </summary>
    internal bool KeptByCluster { get; init; }

    /// <summary>Generates a new value.</summary>
    public string Generate()
    {
        if (Length < 22)
        {
            throw new InvalidOperationException($"A generated secret needs at least 22 characters; {Length} was asked for.");
        }

        return Prefix + RandomNumberGenerator.GetString(Alphabet, Length);
    }
}
