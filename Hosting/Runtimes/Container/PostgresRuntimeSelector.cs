using Microsoft.Extensions.Logging;
using StackModel.Hosting.Runtimes.Process;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Chooses where PostgreSQL runs, once per AppHost, from <c>Stack:Runtime</c>: <c>process</c>, <c>container</c>, or <c>auto</c>
/// (the runtime that created the stack's existing cluster; for a new cluster a container when an engine answers <c>info</c> and
/// the image is present locally or was just pulled as <c>Stack:PullPolicy</c> allows, else a local process). <c>auto</c> never swaps the runtime under existing data; a pinned runtime that differs from the
/// recorded one is refused by the server's runner, which says how to switch on purpose.
/// </summary>
internal sealed partial class PostgresRuntimeSelector(
    StackOptions options,
    string stateDirectory,
    PostgresProcessRuntime process,
    PostgresContainerRuntime container,
    ContainerEngineLocator engines,
    ILogger<PostgresRuntimeSelector> logger)
{
    /// <summary>The output of a pull made while choosing, shown in the server's log after the line that says the choice.</summary>
    private readonly List<(string Text, bool IsError)> _pullOutput = [];

    /// <summary>Gets why the chosen launcher runs PostgreSQL, once <see cref="Select"/> chose it; <see langword="null"/> before.</summary>
    public string? Reason { get; private set; }

    /// <summary>Gets the configured setting (<c>auto</c>, <c>process</c>, <c>container</c>).</summary>
    public string Setting => (options.Runtime is { Length: > 0 } configured ? configured : "auto").Trim().ToLowerInvariant();

    public IPostgresRuntime Select()
    {
        var (runtime, reason) = WithoutEngine() ?? Auto();
        LogRuntimeChosen(logger, runtime.Name, reason);
        Reason = reason;
        return new SelectedPostgresRuntime(runtime, reason, _pullOutput);
    }

    /// <summary>
    /// Returns the choice when it needs no container engine's answer (a pinned setting, or <c>auto</c> over an existing cluster),
    /// or <see langword="null"/> when <c>auto</c> would have to ask an engine (a new cluster).
    /// </summary>
    public (string Runtime, string Reason)? ChoiceWithoutEngine() => WithoutEngine() is { } known ? (known.Runtime.Name, known.Reason) : null;

    private (IPostgresRuntime Runtime, string Reason)? WithoutEngine() => Setting switch
    {
        "process" => (process, "Stack:Runtime=process"),
        "container" => (container, "Stack:Runtime=container"),
        "auto" => Recorded(),
        _ => throw new DistributedApplicationException(
            $"Stack:Runtime is '{options.Runtime}'; expected auto, container or process. Fix the setting, or remove it for auto."),
    };

    private (IPostgresRuntime Runtime, string Reason)? Recorded()
    {
        StackRecord? record;
        try
        {
            record = StackRecord.TryRead(Path.Combine(stateDirectory, StackRecord.FileName));
        }
        catch (StackGuardException)
        {
            record = null; // unreadable: the server's runner refuses it with the reason and the fix
        }

        if (record is not null && (record.Runtime == process.Name || record.Runtime == container.Name))
        {
            return (record.Runtime == container.Name ? container : process,
                $"Stack:Runtime=auto keeps the {record.Runtime} runtime that created the stack's cluster in '{stateDirectory}' " +
                $"(to switch on purpose, delete the state folder{(record.Runtime == container.Name ? " and the cluster's volume" : string.Empty)}, which deletes its data)");
        }

        if (File.Exists(Path.Combine(stateDirectory, "postgres", "data", "PG_VERSION")) || File.Exists(Path.Combine(stateDirectory, ClusterLocation.PointerFileName)))
        {
            // A process cluster whose record was never written (an interrupted first start, an older AppHost): still its data.
            return (process, $"Stack:Runtime=auto keeps the process runtime: '{ClusterLocation.RecordedRoot(stateDirectory) ?? Path.Combine(stateDirectory, "postgres")}' holds its cluster");
        }

        return null;
    }

    private (IPostgresRuntime Runtime, string Reason) Auto()
    {
        var detection = engines.DetectAsync().GetAwaiter().GetResult();
        if (detection.Engine is null)
        {
            return (process, $"Stack:Runtime=auto and no container engine answers ({detection.Reason})");
        }

        var image = container.EnsureImageAsync(detection.Engine, "postgres", (text, isError) => _pullOutput.Add((text, isError))).GetAwaiter().GetResult();
        return image.Available
            ? (container, $"Stack:Runtime=auto, a container engine answers ({detection.Reason}) and {image.Reason}")
            : (process, $"Stack:Runtime=auto and a container engine answers ({detection.Reason}), but {image.Reason}; so this new cluster runs from this machine's " +
                        $"PostgreSQL binaries. To run it as a container instead, make the image present ({container.BuildHint}) before the first start on a new state folder");
    }

    [LoggerMessage(EventId = LogEvents.PostgresRuntimeChosen, Level = LogLevel.Information, Message = "PostgreSQL runs as a {Runtime}: {Reason}")]
    private static partial void LogRuntimeChosen(ILogger logger, string runtime, string reason);

    /// <summary>The chosen runtime; says in the server's log which one runs it and why.</summary>
    private sealed class SelectedPostgresRuntime(IPostgresRuntime inner, string reason, List<(string Text, bool IsError)> pullOutput) : IPostgresRuntime
    {
        public string Name => inner.Name;

        public Task<PostgresServerHandle> StartAsync(PostgresStartRequest request, CancellationToken cancellationToken = default)
        {
            request.Log($"Runtime: {inner.Name} ({reason}).", false);
            foreach (var (text, isError) in pullOutput)
            {
                request.Log(text, isError);
            }

            pullOutput.Clear(); // shown once, on the first start
            return inner.StartAsync(request, cancellationToken);
        }
    }
}
