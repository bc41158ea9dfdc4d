using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StackModel.Hosting.Orchestration;

/// <summary>Holds the latest snapshot of every resource and tells watchers about every change.</summary>
public sealed class ResourceNotificationService
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<Channel<ResourceSnapshot>> _watchers = [];

    /// <summary>Gets the latest snapshot of every resource, in no particular order.</summary>
    public IReadOnlyCollection<ResourceSnapshot> Snapshots => _snapshots.Values.ToArray();

    /// <summary>Gets the latest snapshot of a resource, or <see langword="null"/>.</summary>
    public ResourceSnapshot? TryGetSnapshot(string name) => _snapshots.GetValueOrDefault(name);

    /// <summary>Publishes a new snapshot of a resource.</summary>
    public void Publish(ResourceSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            _snapshots[snapshot.Name] = snapshot;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(snapshot);
            }
        }
    }

    /// <summary>Updates the snapshot of a resource with <paramref name="update"/> and publishes it.</summary>
    public ResourceSnapshot Update(string name, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            var current = _snapshots.TryGetValue(name, out var existing)
                ? existing
                : throw new InvalidOperationException($"Resource '{name}' has no snapshot yet.");
            var next = update(current);
            Publish(next);
            return next;
        }
    }

    /// <summary>Streams the current snapshot of every resource, then every change, until cancelled.</summary>
    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceSnapshot>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var snapshot in _snapshots.Values)
            {
                channel.Writer.TryWrite(snapshot);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>Waits until the snapshot of <paramref name="name"/> satisfies <paramref name="predicate"/>.</summary>
    public async Task<ResourceSnapshot> WaitForResourceAsync(string name, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        await foreach (var snapshot in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (snapshot.Name == name && predicate(snapshot))
            {
                return snapshot;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException($"Stopped watching resource '{name}'.");
    }
}
