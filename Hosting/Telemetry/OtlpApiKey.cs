using System.Security.Cryptography;
using System.Text;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// The key an OTLP exporter must send in the <c>x-otlp-api-key</c> header (as Aspire's dashboard asks): random per AppHost run and
/// given to the stack's processes with the endpoint (<c>OTEL_EXPORTER_OTLP_HEADERS</c>), so that nothing else on the machine can
/// write into the dashboard.
/// </summary>
internal sealed class OtlpApiKey
{
    /// <summary>The header's name.</summary>
    public const string HeaderName = "x-otlp-api-key";

    private readonly byte[] _bytes;

    public OtlpApiKey(string? value = null)
    {
        Value = value ?? System.Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _bytes = Encoding.UTF8.GetBytes(Value);
    }

    /// <summary>Gets the key (32 hex digits).</summary>
    public string Value { get; }

    /// <summary>Gets <c>OTEL_EXPORTER_OTLP_HEADERS</c>'s value.</summary>
    public string HeadersVariable => $"{HeaderName}={Value}";

    /// <summary>Returns whether <paramref name="candidate"/> is the key, in constant time.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _bytes);
}
