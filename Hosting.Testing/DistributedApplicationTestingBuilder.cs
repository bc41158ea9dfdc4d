using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Builds a test stack from the real AppHost definition: its entry point runs up to <c>Build()</c>, then the test may adjust the
/// builder and calls <see cref="BuildAsync"/>. The stack gets a temporary state folder of its own (removed on dispose), free random
/// host ports and no dashboard, so it can never reach the developer's <c>.stackmodel/</c> cluster.
/// </summary>
public sealed class DistributedApplicationTestingBuilder : IDistributedApplicationBuilder, IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _inner;
    private readonly string _stateDirectory;
    private readonly bool _ownsStateDirectory;
    private bool _built;

    private DistributedApplicationBuilder Inner => _inner;

    private DistributedApplicationTestingBuilder(DistributedApplicationBuilder inner, string stateDirectory, bool ownsStateDirectory)
    {
        _inner = inner;
        _stateDirectory = stateDirectory;
        _ownsStateDirectory = ownsStateDirectory;
    }

    /// <summary>
    /// Gets the state folder of this test stack: a temporary folder removed on dispose, or the folder the test passed as
    /// <c>--Stack:StateDirectory=</c> (kept, so a second stack can start on the same state; the test removes it).
    /// </summary>
    public string StateDirectory => _stateDirectory;

    /// <inheritdoc/>
    public IConfigurationManager Configuration => Inner.Configuration;

    /// <inheritdoc/>
    public IServiceCollection Services => Inner.Services;

    /// <inheritdoc/>
    public string AppHostDirectory => Inner.AppHostDirectory;

    /// <inheritdoc/>
    public IList<IResource> Resources => Inner.Resources;

    /// <summary>Runs the AppHost entry point of <typeparamref name="TEntryPoint"/>'s assembly up to <c>Build()</c>.</summary>
    /// <typeparam name="TEntryPoint">Any type of the AppHost assembly, usually its <c>Program</c>.</typeparam>
    /// <param name="args">
    /// Arguments for the AppHost, e.g. <c>--LiteLLM:Runtime=executable</c>. <c>--Stack:StateDirectory=&lt;folder&gt;</c> reuses a
    /// temporary folder the test owns (to restart a stack on existing state); it is never the AppHost's own <c>.stackmodel/</c>.
    /// </param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(string[]? args = null, CancellationToken cancellationToken = default)
        where TEntryPoint : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        var assembly = typeof(TEntryPoint).Assembly;
        var entryPoint = assembly.EntryPoint
            ?? throw new InvalidOperationException($"Assembly '{assembly.GetName().Name}' has no entry point; pass a type of the AppHost project.");
        var appHostDirectory = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "StackModel.AppHostDirectory")?.Value
            ?? Path.GetDirectoryName(assembly.Location)!;
        var (stateDirectory, owned) = StateDirectoryFor(args, appHostDirectory);
        DistributedApplicationBuilder? captured;
        try
        {
            captured = EntryPointInterceptor.Invoke(
                settings => ApplyTestDefaults(settings, stateDirectory, owned, appHostDirectory),
                () =>
                {
                    var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args ?? []]);
                    if (result is Task task)
                    {
                        task.GetAwaiter().GetResult();
                    }
                });
        }
        catch (Exception ex)
        {
            if (owned)
            {
                DeleteStateDirectory(stateDirectory);
            }

            ExceptionDispatchInfo.Capture(Unwrap(ex)).Throw();
            throw;
        }

        if (captured is null)
        {
            if (owned)
            {
                DeleteStateDirectory(stateDirectory);
            }

            throw new InvalidOperationException($"The entry point of '{assembly.GetName().Name}' returned without calling Build() on a StackModel builder.");
        }

        return Task.FromResult(new DistributedApplicationTestingBuilder(captured, stateDirectory, owned));
    }

    /// <summary>Creates an empty test stack to declare resources on directly.</summary>
    public static DistributedApplicationTestingBuilder Create(params string[] args)
    {
        var (stateDirectory, owned) = StateDirectoryFor(args, Directory.GetCurrentDirectory());
        var settings = new DistributedApplicationBuilderSettings { Args = args };
        ApplyTestDefaults(settings, stateDirectory, owned, Directory.GetCurrentDirectory());
        return new DistributedApplicationTestingBuilder(new DistributedApplicationBuilder(settings), stateDirectory, owned);
    }

    /// <inheritdoc/>
    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource =>
        new TestingResourceBuilder<T>(this, Inner.AddResource(resource));

    /// <inheritdoc/>
    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource =>
        new TestingResourceBuilder<T>(this, Inner.CreateResourceBuilder(resource));

    /// <summary>Validates the declaration, gives every endpoint a free host port, and builds the test stack.</summary>
    public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Build());
    }

    /// <inheritdoc/>
    public DistributedApplication Build()
    {
        AssignFreePorts();
        var app = Inner.Build();
        _built = true;
        TestStacks.Add(app, clusterGoesWithIt: _ownsStateDirectory);
        var directory = _stateDirectory;
        if (_ownsStateDirectory)
        {
            var containers = app.Services.GetRequiredService<ContainerStack>();

            // The cluster goes with the state folder: PostgreSQL may stop without a shutdown checkpoint (a restart while the
            // stack runs still stops it cleanly).
            var options = app.Services.GetRequiredService<StackOptions>();
            app.OnDisposing(() => options.DiscardClusterOnStop = true);
            app.OnDisposed(async () =>
            {
                // A test stack's named volumes are its data, like its state folder: they go with it. A state folder the
                // test passed (--Stack:StateDirectory) keeps the stack's name and volumes for the next build; the test removes both.
                await containers.RemoveVolumesAsync().ConfigureAwait(false);
                StartupTimeline.Mark("test stack disposed, deleting its state folder");
                DeleteStateDirectory(directory);
                StartupTimeline.Mark("state folder deleted");
            });
        }

        return app;
    }

    /// <summary>Removes the state folder when no application was built from this builder.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_built && _ownsStateDirectory)
        {
            DeleteStateDirectory(_stateDirectory);
        }

        return ValueTask.CompletedTask;
    }

    private void AssignFreePorts()
    {
        var used = new HashSet<int>();
        foreach (var endpoint in Resources.OfType<IResourceWithEndpoints>().SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            int port;
            do
            {
                port = FreePorts.Next();
            }
            while (!used.Add(port));
            endpoint.HostPort = port;
        }
    }

    /// <summary>A test stack's defaults, between the developer's environment (which they win over) and the test's arguments (which win over them).</summary>
    private static void ApplyTestDefaults(DistributedApplicationBuilderSettings settings, string stateDirectory, bool ownsStateDirectory, string appHostDirectory)
    {
        settings.AppHostDirectory = appHostDirectory;

        // Deterministic by default: PostgreSQL as a local process unless the test asks for --Stack:Runtime=container (or auto).
        settings.Configuration["Stack:Runtime"] = GivenRuntime(settings.Args) ?? "process";
        settings.Configuration["Stack:StateDirectory"] = stateDirectory;
        settings.Configuration["Stack:Name"] = "stackmodel-test-" + Path.GetFileName(stateDirectory).Split('-').Last().ToLowerInvariant();
        settings.Configuration["Stack:WriteEnvFile"] = "false";
        settings.Configuration["Dashboard:Enabled"] = "false";
        settings.Configuration["Dashboard:Port"] = "0";
        settings.Configuration["Dashboard:OtlpPort"] = "0";
        settings.Configuration["Stack:ClusterCacheDirectory"] = ClusterCacheDirectory;

        // A cluster in a state folder of the builder's own is deleted with it on dispose, so nothing in it is worth a disk flush:
        // no fsync, no synchronous commit, no full-page writes (measured: README, "Testing your app"). A kept state folder stays durable.
        settings.Configuration["Stack:TestCluster"] = ownsStateDirectory ? "true" : "false";
        if (ownsStateDirectory && stateDirectory.StartsWith(Runtimes.Process.TestClusterStorage.SharedMemory + "/", StringComparison.Ordinal))
        {
            // Under root PostgreSQL's account cannot enter the private state folder: its cluster then stays in RAM too.
            settings.Configuration["Stack:ReachableDataDirectory"] = Runtimes.Process.TestClusterStorage.ReachableInSharedMemory;
        }

        settings.ConfigureLogging = logging => logging.SetMinimumLevel(LogLevel.Warning);
    }

    /// <summary>The folder given as <c>--Stack:StateDirectory=</c> (kept; the test owns it), or a new temporary one (removed on dispose).</summary>
    private static (string Directory, bool Owned) StateDirectoryFor(string[]? args, string appHostDirectory)
    {
        var given = new ConfigurationBuilder().AddCommandLine(Cli.CommandLine.ConfigurationArgs(args ?? [])).Build()["Stack:StateDirectory"];
        if (string.IsNullOrWhiteSpace(given))
        {
            return (CreateStateDirectory(), true);
        }

        var directory = Path.GetFullPath(given, appHostDirectory);
        if (string.Equals(directory.TrimEnd(Path.DirectorySeparatorChar), Path.Combine(appHostDirectory, ".stackmodel"), StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"A test stack never runs on the AppHost's own state folder '{directory}' (the developer's data). Pass a temporary folder the test owns as --Stack:StateDirectory=.");
        }

        System.IO.Directory.CreateDirectory(directory);
        return (directory, false);
    }

    /// <summary>
    /// The machine-wide cache of pristine clusters that test clusters are copied from instead of running initdb (Runtimes.Process.ClusterCache):
    /// <c>STACKMODEL_CLUSTER_CACHE</c> when set; under root <c>/var/cache/stackmodel/clusters</c> (root's own tree, given to PostgreSQL's
    /// account); otherwise the user's cache folder (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>) <c>/stackmodel/clusters</c>. A test may pass
    /// <c>--Stack:ClusterCacheDirectory=</c>.
    /// </summary>
    internal static string ClusterCacheDirectory =>
        Environment.GetEnvironmentVariable("STACKMODEL_CLUSTER_CACHE") is { Length: > 0 } configured ? configured
        : Runtimes.NativeMethods.IsRoot ? "/var/cache/stackmodel/clusters"
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "stackmodel", "clusters");

    private static string? GivenRuntime(string[]? args) =>
        new ConfigurationBuilder().AddCommandLine(Cli.CommandLine.ConfigurationArgs(args ?? [])).Build()["Stack:Runtime"] is { Length: > 0 } given ? given : null;

    private static string CreateStateDirectory()
    {
        // In RAM (/dev/shm) when it has room, else the temporary folder: Runtimes/Process/TestClusterStorage.cs says why.
        var (root, _, _) = Runtimes.Process.TestClusterStorage.Choose();
        string directory;
        do
        {
            directory = Path.Combine(root, "stackmodel-test-" + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal));
        }
        while (Directory.Exists(directory));

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return directory;
    }

    private static void DeleteStateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            // Under root with a private TMPDIR the cluster lived outside the state folder (ClusterLocation): it goes with it.
            Runtimes.Process.ClusterLocation.DeleteRecordedOutsideFolder(directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Exception Unwrap(Exception ex) => ex is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : ex;
}
