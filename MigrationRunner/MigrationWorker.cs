using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackModel.MigrationRunner.Configuration;
using StackModel.MigrationRunner.Database;
using StackModel.MigrationRunner.Diagnostics;
using StackModel.MigrationRunner.Health;
using StackModel.MigrationRunner.Logging;
using StackModel.ServiceDefaults;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.MigrationRunner;

/// <summary>
/// The worker: reads its settings, waits for LiteLLM when told to, migrates, logs the outcome, sets the exit code
/// and stops the host.
/// </summary>
internal sealed class MigrationWorker(
    IConfiguration configuration,
    IServiceProvider services,
    ILoggerFactory loggerFactory,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("StackModel.MigrationRunner");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var result = await RunAsync(stoppingToken);
        Environment.ExitCode = (int)result.ExitCode;
        lifetime.StopApplication();
    }

    /// <summary>Runs once and returns the outcome; logs every refusal or failure with its exit code.</summary>
    public async Task<MigrationResult> RunAsync(CancellationToken cancellationToken = default)
    {
        // The run's span is current throughout, so every log line of the run, the refusal included, is linked to it.
        using var run = RunnerTelemetry.StartRun();
        MigrationResult result;
        try
        {
            var options = MigrationRunnerOptions.Read(configuration);
            RunnerTelemetry.Describe(run, options.ConnectionName, options.MigrationsPath);

            // Resolved here, not injected: a missing connection string is a refusal with exit code 2, not a crash.
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();

            // Started early by the AppHost (WithStartGate), the runner reads its folder now and connects once the gate opens.
            var engine = new MigrationEngine(
                dataSource,
                new TargetVerifier(options.ExpectedTarget, new StackGuardTarget(configuration, options.ConnectionName), _logger),
                _logger,
                async ct =>
                {
                    using var wait = RunnerTelemetry.StartWait();
                    StackTargetGuard.Preload(configuration); // read again after the gate, when the AppHost has written this start's record
                    await StartGate.WaitAsync(configuration, ct);
                    await WaitForDependencyAsync(options, ct);
                });
            result = await engine.RunAsync(options.MigrationsPath, cancellationToken);
        }
        catch (MigrationException ex)
        {
            result = MigrationResult.Failure(ex);
        }
        catch (StartGateClosedException ex)
        {
            result = MigrationResult.Failure(new MigrationException(MigrationExitCode.Unexpected, ex.Message, ex));
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            result = MigrationResult.Failure(new MigrationException(
                MigrationExitCode.Unexpected,
                "The runner was stopped before it finished. The open transaction, if any, was rolled back. Fix: run it again.",
                ex));
        }
#pragma warning disable CA1031 // A worker reports every failure as an exit code instead of crashing the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.UnexpectedError(ex);
            result = MigrationResult.Failure(MigrationExitCode.Unexpected, ex);
        }

        if (!result.Successful && result.Error is not null)
        {
            _logger.MigrationStopped((int)result.ExitCode, result.ExitCode, result.Error.Message);
        }

        RunnerTelemetry.EndRun(run, result);
        return result;
    }

    private async Task WaitForDependencyAsync(MigrationRunnerOptions options, CancellationToken cancellationToken)
    {
        if (options.WaitForHealthUrl is { } healthUrl)
        {
            await new DependencyHealthWaiter(_logger).WaitAsync(healthUrl, options.WaitTimeout, cancellationToken);
        }
        else
        {
            _logger.RunningWithoutDependencyWait();
        }
    }
}
