using System.Globalization;
using Npgsql;

namespace StackModel.LiteLLMStandIn;

/// <summary>
/// What the stand-in reads at boot, from the same environment variables and CLI options as LiteLLM,
/// plus the stand-in's own fault switches (<c>LITELLM_STANDIN_*</c>).
/// </summary>
internal sealed class StandInOptions
{
    public const int DefaultPort = 4000;
    public const int DefaultDatabaseRetrySeconds = 10;

    public required NpgsqlConnectionStringBuilder Database { get; init; }

    public required int Port { get; init; }

    public string? ConfigPath { get; init; }

    public required IReadOnlyList<string> IgnoredDatabaseUrlParameters { get; init; }

    public bool NeverHealthy { get; init; }

    public TimeSpan StartupDelay { get; init; }

    public TimeSpan DatabaseRetryWindow { get; init; }

    /// <summary>The exit code that <c>LITELLM_STANDIN_EXIT_CODE</c> asks for, if any.</summary>
    public static int? RequestedExitCode(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var value = environment("LITELLM_STANDIN_EXIT_CODE");
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? code
            : throw new StandInConfigurationException(
                $"LITELLM_STANDIN_EXIT_CODE is '{value}'; give a whole number such as 3.");
    }

    public static StandInOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);

        string? configPath = null;
        string? cliPort = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config" or "-c":
                    configPath = OptionValue(args, ref i);
                    break;
                case "--port":
                    cliPort = OptionValue(args, ref i);
                    break;
                case "--detailed_debug" or "--debug":
                    break;
                default:
                    throw new StandInConfigurationException(
                        $"No such option: {args[i]}. The stand-in accepts LiteLLM's --config <path> and --port <n>.");
            }
        }

        if (configPath is not null && !File.Exists(configPath))
        {
            throw new StandInConfigurationException(
                $"Config file not found: '{Path.GetFullPath(configPath)}' (from --config). Mount or create it, or drop --config.");
        }

        var databaseUrl = environment("DATABASE_URL");
        if (string.IsNullOrWhiteSpace(databaseUrl))
        {
            throw new StandInConfigurationException(
                "DATABASE_URL is not set. LiteLLM needs it to store keys and spend: set it to " +
                "postgresql://user:password@host:port/litellm_database (the AppHost's WithReference provides it).");
        }

        var ignored = new List<string>();
        var database = DatabaseUrl.Parse(databaseUrl, ignored);

        RequireKey(environment, "LITELLM_MASTER_KEY", "the admin key that signs API requests");
        RequireKey(environment, "LITELLM_SALT_KEY", "the key that encrypts stored credentials; it must never change once keys are stored");

        return new StandInOptions
        {
            Database = database,
            Port = ParsePort(cliPort ?? environment("PORT"), cliPort is null ? "PORT" : "--port"),
            ConfigPath = configPath,
            IgnoredDatabaseUrlParameters = ignored,
            NeverHealthy = string.Equals(environment("LITELLM_STANDIN_NEVER_HEALTHY"), "true", StringComparison.OrdinalIgnoreCase),
            StartupDelay = TimeSpan.FromMilliseconds(ParseNonNegative(environment, "LITELLM_STANDIN_STARTUP_DELAY_MS", 0)),
            DatabaseRetryWindow = TimeSpan.FromSeconds(
                ParseNonNegative(environment, "LITELLM_STANDIN_DB_RETRY_SECONDS", DefaultDatabaseRetrySeconds)),
        };
    }

    private static string OptionValue(IReadOnlyList<string> args, ref int index)
    {
        if (index + 1 >= args.Count)
        {
            throw new StandInConfigurationException($"Option {args[index]} requires a value.");
        }

        index++;
        return args[index];
    }

    private static void RequireKey(Func<string, string?> environment, string name, string purpose)
    {
        if (string.IsNullOrWhiteSpace(environment(name)))
        {
            throw new StandInConfigurationException(
                $"{name} is not set. LiteLLM needs it as {purpose}: set it in the AppHost (as a secret parameter).");
        }
    }

    private static int ParsePort(string? value, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultPort;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new StandInConfigurationException($"{source} is '{value}'; give a port number between 1 and 65535.");
    }

    private static int ParseNonNegative(Func<string, string?> environment, string name, int defaultValue)
    {
        var value = environment(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return defaultValue;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new StandInConfigurationException($"{name} is '{value}'; give a whole number of 0 or more.");
    }
}
