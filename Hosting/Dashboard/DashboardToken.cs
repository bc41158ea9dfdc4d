using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace StackModel.Hosting.Dashboard;

/// <summary>
/// The dashboard's login token: random per AppHost run, given once in the console's login URL, then carried by an HttpOnly,
/// SameSite=Strict cookie (or an <c>Authorization: Bearer</c> header for scripts).
/// </summary>
internal sealed class DashboardToken
{
    /// <summary>The cookie that carries the token after login.</summary>
    public const string CookieName = "stackmodel_dashboard";

    /// <summary>The header every POST must carry: a page of another origin cannot send it without a CORS preflight, which the dashboard never grants.</summary>
    public const string ActionHeader = "X-StackModel-Dashboard";

    private readonly byte[] _bytes;

    public DashboardToken(string? value = null)
    {
        Value = value ?? Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        _bytes = Encoding.UTF8.GetBytes(Value);
    }

    /// <summary>Gets the token (32 URL-safe characters).</summary>
    public string Value { get; }

    /// <summary>Returns whether <paramref name="candidate"/> is the token, in constant time.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _bytes);

    /// <summary>Returns whether the request carries the token in the cookie or as a bearer token.</summary>
    public bool IsAuthenticated(HttpRequest request)
    {
        if (request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie))
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(authorization["Bearer ".Length..].Trim());
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
