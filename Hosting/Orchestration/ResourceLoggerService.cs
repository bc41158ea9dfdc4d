using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// The console output of every resource, kept in a bounded buffer per resource (the newest
/// <see cref="Capacity"/> lines; older lines are dropped), and streamed to watchers.
/// </summary>
public sealed class ResourceLoggerService
{
    /// <summary>Lines kept per resource.</summary>
    public const int Capacity = 5000;

    private readonly ConcurrentDictionary<string, ResourceLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Appends a line to a resource's log.</summary>
    public void Write(string resourceName, string text, bool isError = false) => Get(resourceName).Write(text, isError);

    /// <summary>Gets the newest <paramref name="count"/> lines of a resource's log.</summary>
    public IReadOnlyList<LogLine> GetLines(string resourceName, int count = Capacity) => Get(resourceName).Tail(count);

    /// <summary>Streams the newest <paramref name="backlog"/> lines, then every new line, until cancelled.</summary>
    public IAsyncEnumerable<LogLine> WatchAsync(string resourceName, int backlog = 200, CancellationToken cancellationToken = default) =>
        Get(resourceName).WatchAsync(backlog, cancellationToken);

    private ResourceLog Get(string name) => _logs.GetOrAdd(name, _ => new ResourceLog());

    private sealed class ResourceLog
    {
        private readonly Lock _gate = new();
        private readonly Queue<LogLine> _lines = new();
        private readonly List<Channel<LogLine>> _watchers = [];
        private long _sequence;

        public void Write(string text, bool isError)
        {
            lock (_gate)
            {
                var line = new LogLine(++_sequence, DateTimeOffset.UtcNow, text, isError);
                _lines.Enqueue(line);
                if (_lines.Count > Capacity)
                {
                    _lines.Dequeue();
                }

                foreach (var watcher in _watchers)
                {
                    watcher.Writer.TryWrite(line);
                }
            }
        }

        public IReadOnlyList<LogLine> Tail(int count)
        {
            lock (_gate)
            {
                return _lines.Skip(Math.Max(0, _lines.Count - count)).ToArray();
            }
        }

        public async IAsyncEnumerable<LogLine> WatchAsync(int backlog, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Bounded per watcher too: a slow reader loses the oldest lines instead of growing memory.
            var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            lock (_gate)
            {
                foreach (var line in _lines.Skip(Math.Max(0, _lines.Count - backlog)))
                {
                    channel.Writer.TryWrite(line);
                }

                _watchers.Add(channel);
            }

            try
            {
                await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return line;
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
    }
}
