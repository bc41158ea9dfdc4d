using Npgsql;

namespace StackModel.LiteLLMStandIn;

/// <summary>
/// Turns LiteLLM's <c>DATABASE_URL</c> (<c>postgresql://user:password@host:port/db?query</c>, as Prisma
/// reads it) into an Npgsql connection string.
/// </summary>
internal static class DatabaseUrl
{
    private const int DefaultPort = 5432;

    public static NpgsqlConnectionStringBuilder Parse(string url, ICollection<string> ignoredParameters)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(ignoredParameters);

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw new StandInConfigurationException(
                "DATABASE_URL is not a PostgreSQL URL. Give it as postgresql://user:password@host:port/database " +
                "(percent-encode special characters in the user and password).");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (string.IsNullOrEmpty(database) || string.IsNullOrEmpty(uri.Host))
        {
            throw new StandInConfigurationException(
                "DATABASE_URL names no host or no database. Give it as postgresql://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.DnsSafeHost,
            Port = uri.Port > 0 ? uri.Port : DefaultPort,
            Database = database,
        };

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            ApplyParameter(builder, name, value, ignoredParameters);
        }

        return builder;
    }

    private static void ApplyParameter(
        NpgsqlConnectionStringBuilder builder, string name, string value, ICollection<string> ignoredParameters)
    {
        switch (name)
        {
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new StandInConfigurationException(
                        $"DATABASE_URL has sslmode={value}; use one of disable, allow, prefer, require, verify-ca, verify-full."),
                };
                break;
            case "connect_timeout" when int.TryParse(value, out var seconds) && seconds >= 0:
                builder.Timeout = seconds;
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            default:
                // Prisma-only parameters (schema, connection_limit, pool_timeout, ...) change nothing here.
                ignoredParameters.Add(name);
                break;
        }
    }
}
