using System.Globalization;
using Microsoft.Extensions.Configuration;
using StackModel.MigrationRunner.Database;

namespace StackModel.MigrationRunner.Configuration;

/// <summary>The runner's settings, read from configuration (environment variables use <c>__</c> for <c>:</c>).</summary>
/// <remarks>
/// Keys: <c>Migrations:ConnectionName</c> (default <c>app_dev</c>; the connection string is <c>ConnectionStrings:&lt;name&gt;</c>),
/// <c>Migrations:Path</c> (required), <c>Migrations:WaitForHealthUrl</c> (optional), <c>Migrations:WaitTimeout</c>
/// (seconds or <c>hh:mm:ss</c>, default 120 s), <c>Migrations:ExpectedDatabase</c>, <c>Migrations:ExpectedServerPort</c> and <c>Migrations:ExpectedRole</c> (optional).
/// </remarks>
internal sealed record MigrationRunnerOptions(
    string ConnectionName,
    string MigrationsPath,
    Uri? WaitForHealthUrl,
    TimeSpan WaitTimeout,
    MigrationTarget ExpectedTarget)
{
    public const string ConnectionNameKey = "Migrations:ConnectionName";
    public const string PathKey = "Migrations:Path";
    public const string WaitForHealthUrlKey = "Migrations:WaitForHealthUrl";
    public const string WaitTimeoutKey = "Migrations:WaitTimeout";
    public const string ExpectedDatabaseKey = "Migrations:ExpectedDatabase";
    public const string ExpectedServerPortKey = "Migrations:ExpectedServerPort";
    public const string ExpectedRoleKey = "Migrations:ExpectedRole";
    public const string DefaultConnectionName = "app_dev";

    /// <summary>The default of <c>Migrations:WaitTimeout</c>.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Reads the name of the connection string to migrate (<c>Migrations:ConnectionName</c>, default <c>app_dev</c>).</summary>
    public static string ReadConnectionName(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration[ConnectionNameKey];
        return string.IsNullOrWhiteSpace(name) ? DefaultConnectionName : name.Trim();
    }

    /// <summary>Reads and validates every setting; a bad value is a <see cref="MigrationException"/> with <see cref="MigrationExitCode.InvalidInput"/>.</summary>
    public static MigrationRunnerOptions Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration[PathKey];
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Invalid($"{PathKey} is not set. Expected the Drizzle migrations folder. Fix: set {PathKey} (environment variable Migrations__Path), e.g. db/migrations.");
        }

        return new MigrationRunnerOptions(
            ReadConnectionName(configuration),
            path,
            ReadHealthUrl(configuration[WaitForHealthUrlKey]),
            ReadTimeout(configuration[WaitTimeoutKey]),
            new MigrationTarget(
                string.IsNullOrWhiteSpace(configuration[ExpectedDatabaseKey]) ? null : configuration[ExpectedDatabaseKey],
                ReadPort(configuration[ExpectedServerPortKey]),
                string.IsNullOrWhiteSpace(configuration[ExpectedRoleKey]) ? null : configuration[ExpectedRoleKey]));
    }

    private static Uri? ReadHealthUrl(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"{WaitForHealthUrlKey} is \"{value}\", expected an absolute http(s) URL. Fix: set it like http://127.0.0.1:<LiteLLM host port>/health/liveliness, or unset it to run without a wait.");
        }

        return url;
    }

    private static TimeSpan ReadTimeout(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DefaultWaitTimeout;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= int.MaxValue)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero)
        {
            return timeout;
        }

        throw Invalid($"{WaitTimeoutKey} is \"{value}\", expected a positive number of seconds (120) or a time span (00:02:00). Fix: correct the value or unset it for the default of 120 s.");
    }

    private static int? ReadPort(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
        {
            return port;
        }

        throw Invalid($"{ExpectedServerPortKey} is \"{value}\", expected a TCP port (1-65535). Fix: pass the port the PostgreSQL server listens on (its target port).");
    }

    private static MigrationException Invalid(string message) => new(MigrationExitCode.InvalidInput, message);
}
