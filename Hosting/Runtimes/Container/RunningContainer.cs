using System.Globalization;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// A container this stack started: its console output streamed (<c>logs -f</c>) to the resource's log, its exit watched,
/// stopped with <c>stop -t 10</c> and removed with <c>rm -f -v</c> (anonymous volumes only; named volumes are kept).
/// </summary>
internal sealed class RunningContainer
{
    private const int TailLength = 20;
    private readonly ContainerEngine _engine;
    private readonly Queue<string> _tail = new();
    private readonly CancellationTokenSource _streaming = new();
    private Task? _removal;
    private Task _joining = Task.CompletedTask;

    private RunningContainer(ContainerEngine engine, string name)
    {
        _engine = engine;
        Name = name;
    }

    /// <summary>Gets the container's name (<c>&lt;stack&gt;-&lt;resource&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>Completes with the container's exit code once it has stopped (-1 when the engine no longer knows it).</summary>
    public Task<int> Exited { get; private set; } = Task.FromResult(-1);

    /// <summary>Gets the last lines the container printed, for a failure reason.</summary>
    public IReadOnlyList<string> Tail
    {
        get
        {
            lock (_tail)
            {
                return _tail.ToArray();
            }
        }
    }

    /// <summary>Follows the container's output and exit; <paramref name="joining"/> is its join to the stack network still running, which a stop waits for.</summary>
    public static RunningContainer Follow(ContainerEngine engine, string name, Action<string, bool> log, Task? joining = null)
    {
        var container = new RunningContainer(engine, name) { _joining = joining ?? Task.CompletedTask };
        void OnLine(string line, bool isError)
        {
            if (line.Contains("failed to connect to syslog", StringComparison.Ordinal))
            {
                return; // aardvark-dns noise from podman itself, not the container's output
            }

            lock (container._tail)
            {
                container._tail.Enqueue(line);
                while (container._tail.Count > TailLength)
                {
                    container._tail.Dequeue();
                }
            }

            log(line, isError);
        }

        Task logs = engine.Api is { } api
            ? Task.Run(() => api.FollowLogsAsync(name, OnLine, container._streaming.Token), CancellationToken.None)
            : engine.Stream(["logs", "-f", name], OnLine, container._streaming.Token);
        container.Exited = container.WatchAsync(logs);
        return container;
    }

    /// <summary>Stops the container (its image's stop signal, SIGKILL after 10 s), waits for its exit, and removes it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            // A join to the stack network begun after the start ends first (at most its 30 s timeout), so that it neither
            // fails against a container being removed nor outlives it.
            await _joining.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DistributedApplicationException)
        {
            // Logged by the join; the container goes anyway.
        }

        if (!Exited.IsCompleted)
        {
            _ = _engine.Api is { } api
                ? await api.StopAsync(Name, 10, cancellationToken).ConfigureAwait(false)
                : await _engine.RunAsync(["stop", "-t", "10", Name], cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                await Exited.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _streaming.CancelAsync().ConfigureAwait(false);
            }
        }

        await RemoveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the container and its anonymous volumes (<c>rm -f -v</c>); named volumes stay.</summary>
    /// <remarks>Concurrent callers (the exit watcher and a stop) share one removal and all wait for it.</remarks>
    public Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        lock (_tail)
        {
            return _removal ??= RemoveCoreAsync(cancellationToken);
        }
    }

    private async Task RemoveCoreAsync(CancellationToken cancellationToken)
    {
        var result = _engine.Api is { } api
            ? await api.RemoveAsync(Name, cancellationToken).ConfigureAwait(false)
            : await _engine.RunAsync(["rm", "-f", "-v", Name], cancellationToken: cancellationToken).ConfigureAwait(false);
        await _streaming.CancelAsync().ConfigureAwait(false);
        if (!result.Succeeded && !await IsGoneAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new DistributedApplicationException($"Container '{Name}' could not be removed: {result.Error}. Remove it with '{_engine.Name} rm -f -v {Name}'.");
        }
    }

    private async Task<bool> IsGoneAsync(CancellationToken cancellationToken) => _engine.Api is { } api
        ? !await api.ContainerExistsAsync(Name, cancellationToken).ConfigureAwait(false)
        : !(await _engine.RunAsync(["container", "inspect", "--format", "{{.Id}}", Name], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded;

    private async Task<int> WatchAsync(Task logs)
    {
        try
        {
            await logs.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Streaming was cancelled (removal, or a stop that timed out); ask the engine below.
        }
        catch (DistributedApplicationException)
        {
            // Docker's API socket stopped answering mid-stream; ask the engine below.
        }

        // logs -f ends when the container stops; 'wait' returns at once then, and also covers a stream that ended early.
        if (_engine.Api is { } api)
        {
            try
            {
                return await api.WaitAsync(Name).ConfigureAwait(false) ?? -1;
            }
            catch (DistributedApplicationException)
            {
                return -1; // the daemon is gone: so is the container
            }
        }

        var result = await _engine.RunAsync(["wait", Name], timeout: TimeSpan.FromDays(1)).ConfigureAwait(false);
        var text = result.StandardOutput.Trim().Split('\n').LastOrDefault()?.Trim();
        return result.Succeeded && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : -1;
    }
}
