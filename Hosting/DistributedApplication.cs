using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Cli;
using StackModel.Hosting.Control;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Export;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;
using StackModel.Hosting.State;

namespace StackModel.Hosting;

/// <summary>The built stack: runs it (<see cref="Run"/>), or starts and stops it under a test.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly DistributedApplicationBuilder _builder;
    private StackStateStore? _state;
    private ApplicationOrchestrator? _orchestrator;
    private DashboardServer? _dashboard;
    private ControlServer? _control;
    private readonly List<Func<ValueTask>> _onDisposed = [];
    private readonly List<Action> _onDisposing = [];
    private Placed? _placed;

    internal DistributedApplication(IHost host, DistributedApplicationModel model, StackOptions options, DistributedApplicationBuilder builder)
    {
        _host = host;
        Model = model;
        Options = options;
        _builder = builder;
        StateDirectory = StackOptions.ResolveStateDirectory(options.StateDirectory, builder.AppHostDirectory);
    }

    /// <summary>Creates a builder for a stack. Call it first in the AppHost's <c>Program.cs</c>.</summary>
    /// <param name="args">The command-line arguments: a verb (<c>env</c>, <c>reset</c>) and/or configuration (<c>--Stack:Runtime=process</c>).</param>
    public static IDistributedApplicationBuilder CreateBuilder(string[] args) =>
        new DistributedApplicationBuilder(args ?? [], Assembly.GetEntryAssembly());

    /// <summary>Gets the stack's resources.</summary>
    public DistributedApplicationModel Model { get; }

    /// <summary>Gets the stack's settings.</summary>
    public StackOptions Options { get; }

    /// <summary>Gets the services of the AppHost process.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Gets the configuration.</summary>
    public IConfiguration Configuration => _builder.Configuration;

    /// <summary>Gets the state folder of this stack.</summary>
    public string StateDirectory { get; }

    /// <summary>Gets the folder of the AppHost project.</summary>
    public string AppHostDirectory => _builder.AppHostDirectory;

    /// <summary>Gets the notifications of resource state changes.</summary>
    public ResourceNotificationService ResourceNotifications => Services.GetRequiredService<ResourceNotificationService>();

    /// <summary>Gets the resources' console logs.</summary>
    public ResourceLoggerService ResourceLogs => Services.GetRequiredService<ResourceLoggerService>();

    internal ApplicationOrchestrator Orchestrator => _orchestrator ?? throw new InvalidOperationException("The stack has not been started.");

    /// <summary>Gets whether this application started the stack in this process (a verb run beside it uses its server).</summary>
    internal bool IsStarted => _orchestrator is not null;

    /// <summary>Gets the dashboard once the stack started, or <see langword="null"/> when none was declared or it is turned off.</summary>
    internal DashboardServer? Dashboard => _dashboard;

    internal StackStateStore State => _state ?? throw new InvalidOperationException("The stack has not been prepared.");

    /// <summary>Runs the command line: the stack until Ctrl+C / SIGTERM, or the verb given. Sets the process exit code.</summary>
    public void Run()
    {
        Environment.ExitCode = RunAsync().GetAwaiter().GetResult();
    }

    /// <summary>Runs the command line and returns the exit code.</summary>
    public Task<int> RunAsync(CancellationToken cancellationToken = default) => CommandLine.InvokeAsync(this, _builder.Args, cancellationToken);

    /// <summary>
    /// Resolves parameters from configuration or the state folder (creating it when needed), and where every resource runs
    /// (its <see cref="ResourcePlacement"/>, asking the container engine when a choice needs it).
    /// </summary>
    public void Prepare() => Prepare(probeEngine: true);

    /// <param name="probeEngine">
    /// <see langword="false"/> for a verb that starts nothing (<c>env</c>): no container engine is asked and no image is pulled;
    /// a placement that needs an engine's answer stays provisional (<see cref="ResourcePlacement.Provisional"/>) until a start decides it.
    /// </param>
    internal void Prepare(bool probeEngine)
    {
        if (_state is null)
        {
            PrepareOn(new StackStateStore(StateDirectory));
        }

        if (_placed is null || (probeEngine && _placed == Placed.WithoutEngine))
        {
            var selector = Services.GetRequiredService<PostgresRuntimeSelector>();
            (string, string)? postgres = probeEngine
                ? (Services.GetRequiredService<IPostgresRuntime>().Name, selector.Reason!)
                : selector.ChoiceWithoutEngine();
            PlacementResolver.Resolve(Model.Resources, Configuration, postgres, probeEngine ? Services.GetRequiredService<IContainerEngineProbe>() : null, AppHostDirectory,
                Services.GetRequiredService<ILoggerFactory>().CreateLogger<DistributedApplication>());
            _placed = probeEngine ? Placed.WithEngine : Placed.WithoutEngine;
        }
    }

    private void PrepareOn(StackStateStore state)
    {
        state.EnsureCreated();
        ParameterResolver.Resolve(Model.Resources.OfType<ParameterResource>(), Configuration, state);
        Postgres.TargetGuardEnvironment.SetRecordPaths(Model, state);
        _state = state;
    }

    /// <summary>Starts the stack: every resource starts once what it waits for is ready. Returns without waiting for them.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StartupTimeline.Mark("StartAsync: state lock, parameters, stack record");
        Services.GetRequiredService<Runtimes.Container.ContainerEngineLocator>().PrewarmRemembered(); // Docker's API client warms up meanwhile
        if (_state is null)
        {
            // The lock first: a second AppHost on this folder must be refused before it writes anything (secrets, the
            // stack record, .env.stack, a cluster), so that it changes nothing of the running one's.
            var state = new StackStateStore(StateDirectory);
            try
            {
                state.AcquireLock(_builder.EarlyLock.HandOver()); // taken already when PostgreSQL was started early
                PrepareOn(state);
            }
            catch
            {
                state.Dispose();
                throw;
            }
        }
        else
        {
            State.AcquireLock(_builder.EarlyLock.HandOver()); // prepared earlier (a test read a connection string first)
        }

        // Read on another thread while the placement is resolved and the orchestrator set up (EnsureRecordReadableAsync below).
        State.PreloadRecord();

        StartupTimeline.Mark("state folder locked, parameters resolved");
        Prepare(probeEngine: true);
        StartupTimeline.Mark("placement resolved (runtime chosen)");
        if (_builder.EarlyPostgres is not null && !Model.Resources.OfType<Postgres.PostgresServerResource>().Any())
        {
            await DiscardEarlyPostgresAsync("the stack declares no PostgreSQL server any more").ConfigureAwait(false);
        }
        else if (_builder.EarlyPostgres is not null && Services.GetRequiredService<IPostgresRuntime>().Name != "process")
        {
            await DiscardEarlyPostgresAsync("PostgreSQL runs on the container runtime", container: false).ConfigureAwait(false);
        }

        if (_builder.EarlyContainer is not null && (!Model.Resources.OfType<Postgres.PostgresServerResource>().Any() || Services.GetRequiredService<IPostgresRuntime>().Name != "container"))
        {
            await DiscardEarlyPostgresAsync("PostgreSQL does not run on the container runtime in this start", process: false).ConfigureAwait(false);
        }

        Runtimes.Container.ContainerRuntimeServices.BeginStarts(Services, Model, State);
        var context = new OrchestratorContext(Model, Options, State, ResourceNotifications, ResourceLogs, Services.GetRequiredService<ILoggerFactory>(), Services.GetRequiredService<IHttpClientFactory>());
        _orchestrator = new ApplicationOrchestrator(context, Services.GetRequiredService<IPostgresRuntime>(), Services.GetRequiredService<ContainerStack>(), Services.GetRequiredService<ILogger<ApplicationOrchestrator>>());
        try
        {
            // A corrupt stack record stops the start before anything runs (read meanwhile on another thread, see PreloadRecord).
            await State.EnsureRecordReadableAsync().ConfigureAwait(false);
        }
        catch (DistributedApplicationException)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        StartupTimeline.Watch(ResourceNotifications, ResourceLogs, Model.Resources.OfType<ProjectResource>().Select(p => p.Name), cancellationToken);
        StartupTimeline.Mark("stack record read; PostgreSQL launching");

        // PostgreSQL first: its start is the longest path, and it needs nothing that is set up below.
        _orchestrator.StartServers();
        try
        {
            _control = ControlServer.TryStart(State.Directory, _orchestrator, ResourceNotifications, Options.StartupTimeout, Services.GetRequiredService<ILogger<ControlServer>>());
            StartupTimeline.Mark("control server started");
            _dashboard = await DashboardServer.StartIfEnabledAsync(this, cancellationToken).ConfigureAwait(false);
            StartupTimeline.Mark("dashboard started (when enabled)");
            if (_dashboard?.Otlp is { IsRunning: true } otlp)
            {
                var containers = Services.GetRequiredService<ContainerStack>();
                new Telemetry.OtlpEnvironment(otlp, ct => containers.NetworkGatewayAsync("telemetry", ct), containers.NetworkName, Services.GetRequiredService<ILoggerFactory>().CreateLogger("StackModel.Telemetry"))
                    .Apply(Model);
            }
        }
        catch
        {
            // The server launched above must not outlive a start that failed here.
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        StartupTimeline.Mark("orchestrator starting");
        _orchestrator.Start();
    }

    /// <summary>Stops every resource, dependents first.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await DiscardEarlyPostgresAsync("the stack stopped before PostgreSQL's start took it over").ConfigureAwait(false);
        if (_control is not null)
        {
            await _control.StopAsync().ConfigureAwait(false);
        }

        if (_orchestrator is not null)
        {
            await _orchestrator.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_dashboard is not null)
        {
            await _dashboard.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the stack until Ctrl+C, SIGTERM or SIGHUP (<see cref="StopSignals"/>), reporting states on the console.</summary>
    internal async Task<int> RunStackAsync(CancellationToken cancellationToken)
    {
        StartupTimeline.Mark("command line parsed (running the stack)");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = StopSignals.Register(stop.Cancel);
        IConsoleView reporter = Console.IsOutputRedirected
            ? new ConsoleReporter(ResourceNotifications, Console.Out, stopHint: signals.Hint)
            : new ConsoleLiveView(ResourceNotifications, Spectre.Console.AnsiConsole.Console, Services.GetRequiredService<ConsoleLogSink>(), signals.Hint);
        var reporting = reporter.RunAsync(stop.Token);
        try
        {
            await StartAsync(stop.Token).ConfigureAwait(false);
            if (_dashboard is not null)
            {
                reporter.ShowDashboard(_dashboard.StatusLine);
            }

            await StackEnvFile.WriteAsync(this, stop.Token).ConfigureAwait(false);
            await Orchestrator.WhenSettledAsync(stop.Token).ConfigureAwait(false);
            StartupTimeline.Mark("all up (every resource settled)");
            await DiscardEarlyPostgresAsync("no PostgreSQL start of this stack took it over").ConfigureAwait(false); // adopted by now, if ever
            reporter.PrintSummary(Orchestrator.Resources.Select(r => r.Name));
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Ctrl+C, SIGTERM or SIGHUP (StopSignals).
        }
        catch (StateFolderInUseException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.StateFolderInUse;
        }
        catch (DistributedApplicationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }

        await Console.Out.WriteLineAsync("Stopping the stack...").ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await reporting.ConfigureAwait(false);
        await Console.Out.WriteLineAsync("Stopped.").ConfigureAwait(false);
        return 0;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var callback in _onDisposing)
        {
            callback();
        }

        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
        }

        if (_orchestrator is not null)
        {
            await _orchestrator.DisposeAsync().ConfigureAwait(false);
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }

        await DiscardEarlyPostgresAsync("the stack was disposed before PostgreSQL's start took it over").ConfigureAwait(false);
        _builder.EarlyLock.Release();
        _state?.Dispose();
        _host.Dispose();
        foreach (var callback in _onDisposed)
        {
            await callback().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server launched early from the last start's record unless the process runtime adopted it; removes the container started early unless the container runtime took it over.</summary>
    private async Task DiscardEarlyPostgresAsync(string reason, bool process = true, bool container = true)
    {
        if (container && _builder.EarlyContainer is { } early)
        {
            await early.DiscardAsync(reason, Services.GetRequiredService<ILoggerFactory>().CreateLogger<Runtimes.Container.PostgresContainerRuntime>()).ConfigureAwait(false);
        }

        if (!process)
        {
            return;
        }

        await (_builder.EarlyPostgres?.DiscardAsync(
            reason,
            Services.GetRequiredService<ILoggerFactory>().CreateLogger<Runtimes.Process.PostgresProcessRuntime>(),
            Model.Resources.OfType<Postgres.PostgresServerResource>().FirstOrDefault()?.Name ?? "postgres") ?? Task.CompletedTask).ConfigureAwait(false);
    }

    private enum Placed
    {
        WithoutEngine,
        WithEngine,
    }

    /// <summary>Runs <paramref name="callback"/> after the application is disposed (the testing builder removes its state folder).</summary>
    internal void OnDisposed(Func<ValueTask> callback) => _onDisposed.Add(callback);

    /// <summary>Runs <paramref name="callback"/> as the application's disposal begins, before anything stops (the testing builder marks a throw-away cluster).</summary>
    internal void OnDisposing(Action callback) => _onDisposing.Add(callback);
}
