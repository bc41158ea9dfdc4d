using System.Net;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackModel.LiteLLMStandIn;

// Boot like LiteLLM's CLI: env and options first, then the database, then the HTTP server.
StandInOptions options;
try
{
    if (StandInOptions.RequestedExitCode(Environment.GetEnvironmentVariable) is { } requestedExitCode)
    {
        await Console.Error.WriteLineAsync(
            $"ERROR: LiteLLM stand-in exiting with code {requestedExitCode} as LITELLM_STANDIN_EXIT_CODE asks.");
        return requestedExitCode;
    }

    options = StandInOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (StandInConfigurationException exception)
{
    await Console.Error.WriteLineAsync($"ERROR: LiteLLM stand-in cannot start: {exception.Message}");
    return 1;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
});

// Health probes arrive every few hundred milliseconds: keep ASP.NET Core's per-request lines out of the log.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, options.Port));
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(options.Database));
builder.Services.AddSingleton<DatabaseProbe>();

var app = builder.Build();
var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LiteLLM");
HealthEndpoints.Map(app, options);

Log.Starting(logger, options.Database.Database, options.Database.Host, options.Database.Port, options.Database.Username, options.Port);
if (options.ConfigPath is { } configPath)
{
    Log.ConfigFileFound(logger, Path.GetFullPath(configPath), new FileInfo(configPath).Length);
}
else
{
    Log.NoConfigFile(logger);
}

foreach (var parameter in options.IgnoredDatabaseUrlParameters)
{
    Log.IgnoredDatabaseUrlParameter(logger, parameter);
}

using var bootCancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, _) => bootCancellation.Cancel();

var synchronizer = new PrismaSchemaSynchronizer(app.Services.GetRequiredService<NpgsqlDataSource>(), logger);
var deadline = DateTimeOffset.UtcNow + options.DatabaseRetryWindow;
for (var attempt = 1; ; attempt++)
{
    try
    {
        await synchronizer.SynchronizeAsync(bootCancellation.Token);
        break;
    }
    catch (NpgsqlException exception) when (exception is not PostgresException && DateTimeOffset.UtcNow < deadline)
    {
        Log.DatabaseNotReachable(logger, attempt, exception.Message);
        await Task.Delay(TimeSpan.FromSeconds(1), bootCancellation.Token);
    }
    catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
    {
        Log.SchemaSetupFailed(logger, exception.Message);
        break;
    }
}

if (options.StartupDelay > TimeSpan.Zero)
{
    Log.StartupDelay(logger, options.StartupDelay.TotalMilliseconds);
    await Task.Delay(options.StartupDelay, bootCancellation.Token);
}

if (options.NeverHealthy)
{
    Log.NeverHealthy(logger);
}

app.Lifetime.ApplicationStarted.Register(() => Log.Ready(logger, options.Port));
await app.RunAsync();
return 0;
