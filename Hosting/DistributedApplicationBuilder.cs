using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Cli;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting;

internal sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly HostApplicationBuilder _host;

    public DistributedApplicationBuilder(string[] args, Assembly? appHostAssembly)
        : this(new DistributedApplicationBuilderSettings { Args = args, AppHostAssembly = appHostAssembly })
    {
    }

    public DistributedApplicationBuilder(DistributedApplicationBuilderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StartupTimeline.MarkProcessStart();
        HostingDiagnostics.Write(HostingDiagnostics.BuilderConstructing, settings);
        Args = settings.Args;
        _host = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        StartupTimeline.Mark("host builder created");
        AppHostDirectory = settings.AppHostDirectory ?? FindAppHostDirectory(settings.AppHostAssembly);
        _host.Configuration.SetBasePath(AppHostDirectory);
        _host.Configuration.AddJsonFile("appsettings.json", optional: true);
        _host.Configuration.AddEnvironmentVariables();
        if (settings.Configuration.Count > 0)
        {
            // Defaults given by whoever creates the builder (the testing builder's) win over the developer's environment; the
            // command line (below) wins over them.
            _host.Configuration.AddInMemoryCollection(settings.Configuration);
        }

        _host.Configuration.AddCommandLine(CommandLine.ConfigurationArgs(Args));
        StartupTimeline.Mark("configuration read (appsettings.json, environment, command line)");

        // A warm start's PostgreSQL, launched now from the last start's record while the model is built (EarlyPostgresLaunch says when),
        // with the state folder locked first: a second AppHost started at the same instant launches nothing.
        EarlyPostgres = Runtimes.Process.EarlyPostgresLaunch.TryStart(Args, _host.Configuration, AppHostDirectory, EarlyLock);
        if (EarlyPostgres is not null)
        {
            Services.AddSingleton(EarlyPostgres);
        }

        // Its container counterpart: a warm start's PostgreSQL container, started now when the stack record says that runtime made the cluster.
        EarlyContainer = Runtimes.Container.EarlyPostgresContainer.TryStart(Args, _host.Configuration, AppHostDirectory, EarlyLock);
        if (EarlyContainer is not null)
        {
            Services.AddSingleton(EarlyContainer);
        }

        // One line per event; while the live view owns the terminal, the lines go through it (ConsoleLogSink). Every log line goes
        // to standard error: standard output carries what a verb prints for a tool to read (env's document) and the stack's states.
        Services.AddSingleton<ConsoleLogSink>();
        _host.Logging.AddConsole(o =>
            {
                o.FormatterName = StackConsoleFormatter.FormatterName;
                o.LogToStandardErrorThreshold = LogLevel.Trace;
            })
            .AddConsoleFormatter<StackConsoleFormatter, ConsoleFormatterOptions>();
        _host.Logging.SetMinimumLevel(LogLevel.Information);
        _host.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        _host.Logging.AddFilter("Microsoft.Extensions.Http", LogLevel.Warning);
        _host.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        settings.ConfigureLogging?.Invoke(_host.Logging);

        Services.AddHttpClient();
        Services.AddSingleton<ResourceNotificationService>();
        Services.AddSingleton<ResourceLoggerService>();
        ContainerRuntimeServices.Add(Services, AppHostDirectory);
        Rules.Add(new DatabaseOwnershipRule());
        Rules.Add(new SingleMigrationSystemRule());
        StartupTimeline.Mark("builder constructed (logging, services)");
        HostingDiagnostics.Write(HostingDiagnostics.BuilderConstructed, this);
    }

    public string[] Args { get; }

    public IConfigurationManager Configuration => _host.Configuration;

    public IServiceCollection Services => _host.Services;

    public string AppHostDirectory { get; }

    public IList<IResource> Resources { get; } = [];

    /// <summary>Gets the state folder's lock as the early starts took it (one for both), for the start's store.</summary>
    internal Runtimes.EarlyStateLock EarlyLock { get; } = new();

    /// <summary>Gets the PostgreSQL server launched as this builder was constructed, or <see langword="null"/> when none was.</summary>
    internal Runtimes.Process.EarlyPostgresLaunch? EarlyPostgres { get; }

    /// <summary>Gets the PostgreSQL container started as this builder was constructed, or <see langword="null"/> when none was.</summary>
    internal Runtimes.Container.EarlyPostgresContainer? EarlyContainer { get; }

    internal List<IModelRule> Rules { get; } = [];

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        Resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!Resources.Contains(resource))
        {
            throw new DistributedApplicationException($"Resource '{resource.Name}' is not declared in this stack; add it with AddResource first.");
        }

        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build()
    {
        StartupTimeline.Mark("Build called (resources declared)");
        HostingDiagnostics.Write(HostingDiagnostics.Building, this);
        ApplyPortOverrides();
        var resources = Resources.ToArray();
        ModelValidator.Validate(resources, Rules);
        var options = new StackOptions();
        Configuration.GetSection(StackOptions.SectionName).Bind(options);
        Services.AddSingleton(options);
        var model = new DistributedApplicationModel(resources);
        Services.AddSingleton(model);
        StartupTimeline.Mark("model validated, options bound");
        var app = new DistributedApplication(_host.Build(), model, options, this);
        StartupTimeline.Mark("model built (Build returned)");
        HostingDiagnostics.Write(HostingDiagnostics.Built, app);
        return app;
    }

    /// <summary>Applies <c>Stack:Ports:&lt;resource&gt;:&lt;endpoint&gt;</c>, which moves a host port without editing the declaration.</summary>
    private void ApplyPortOverrides()
    {
        foreach (var resource in Resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                var value = Configuration[$"Stack:Ports:{resource.Name}:{endpoint.Name}"];
                if (value is null)
                {
                    continue;
                }

                if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    throw new DistributedApplicationException(
                        $"Stack:Ports:{resource.Name}:{endpoint.Name} is '{value}', which is not a valid TCP port. Use a number from 1 to 65535, or remove the setting.");
                }

                endpoint.HostPort = port;
            }
        }
    }

    private static string FindAppHostDirectory(Assembly? appHostAssembly)
    {
        var recorded = appHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "StackModel.AppHostDirectory")?.Value;
        return recorded is not null && Directory.Exists(recorded) ? recorded : Directory.GetCurrentDirectory();
    }
}
