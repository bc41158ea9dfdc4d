using System.Globalization;

namespace StackModel.Hosting.Telemetry;

/// <summary>
/// The telemetry the AppHost received over OTLP, in memory and bounded: per resource the newest
/// <see cref="TelemetryOptions.LogsPerResource"/> log records, <see cref="TelemetryOptions.SpansPerResource"/> spans and
/// <see cref="TelemetryOptions.MetricPointsPerResource"/> metric points; the oldest go first and are counted as dropped.
/// Spans are also indexed by trace, so a trace whose spans come from several processes is one trace.
/// </summary>
/// <remarks>One lock guards everything: a request's batch is filed at once, and a reader sees whole batches.</remarks>
internal sealed class TelemetryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceTelemetry> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TelemetrySpan>> _traces = new(StringComparer.Ordinal);
    private long _lastLogSeq;

    public TelemetryStore(TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>Gets the caps.</summary>
    public TelemetryOptions Options { get; }

    /// <summary>Raised after a batch was filed (outside the lock), with the kind and the resource it came from.</summary>
    public event Action<TelemetryKind, string>? Changed;

    public void AddLogs(IReadOnlyList<TelemetryLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var entry in entries)
            {
                var resource = ResourceOf(entry.Resource);
                resource.Logs.Enqueue(entry with { Seq = ++_lastLogSeq });
                while (resource.Logs.Count > Options.LogsPerResource)
                {
                    resource.Logs.Dequeue();
                    resource.DroppedLogs++;
                }
            }
        }

        Notify(TelemetryKind.Logs, entries);
    }

    public void AddSpans(IReadOnlyList<TelemetrySpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (spans.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var span in spans)
            {
                var resource = ResourceOf(span.Resource);
                resource.Spans.Enqueue(span);
                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    _traces[span.TraceId] = trace = [];
                }

                trace.Add(span);
                while (resource.Spans.Count > Options.SpansPerResource)
                {
                    var oldest = resource.Spans.Dequeue();
                    resource.DroppedSpans++;
                    if (_traces.TryGetValue(oldest.TraceId, out var oldTrace))
                    {
                        oldTrace.Remove(oldest);
                        if (oldTrace.Count == 0)
                        {
                            _traces.Remove(oldest.TraceId);
                        }
                    }
                }
            }
        }

        Notify(TelemetryKind.Traces, spans.Select(s => s.Resource));
    }

    public void AddMetricPoints(IReadOnlyList<TelemetryMetricSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var sample in samples)
            {
                var resource = ResourceOf(sample.Resource);
                var key = (sample.Meter, sample.Name);
                if (!resource.Instruments.TryGetValue(key, out var instrument))
                {
                    resource.Instruments[key] = instrument = new TelemetryInstrument(sample.Resource, sample.Meter, sample.Name);
                }

                instrument.Description = sample.Description;
                instrument.Unit = sample.Unit;
                instrument.Type = sample.Type;
                var point = sample.Point;
                if (sample.IsDelta && point.Value is { } delta)
                {
                    var series = SeriesKey(point.Attributes);
                    var total = instrument.DeltaTotals.GetValueOrDefault(series) + delta;
                    instrument.DeltaTotals[series] = total;
                    point = point with { Value = total };
                }

                instrument.Points.Enqueue(point);
                resource.PointOrder.Enqueue(instrument);
                resource.MetricPoints++;
                while (resource.MetricPoints > Options.MetricPointsPerResource)
                {
                    resource.PointOrder.Dequeue().Points.Dequeue(); // the resource's oldest point is its instrument's oldest
                    resource.MetricPoints--;
                    resource.DroppedMetricPoints++;
                }
            }
        }

        Notify(TelemetryKind.Metrics, samples.Select(s => s.Resource));
    }

    public IReadOnlyList<TelemetryResourceSummary> Summary()
    {
        lock (_gate)
        {
            return _resources.Values
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => new TelemetryResourceSummary(r.Name, r.Logs.Count, r.Spans.Count, r.MetricPoints, r.DroppedLogs, r.DroppedSpans, r.DroppedMetricPoints))
                .ToArray();
        }
    }

    /// <summary>Returns the newest <paramref name="limit"/> log records that match, oldest first, and the newest sequence number kept.</summary>
    public (IReadOnlyList<TelemetryLogEntry> Items, long LastSeq) QueryLogs(string? resource, int minLevel, string? text, string? traceId, long afterSeq, int limit)
    {
        lock (_gate)
        {
            IEnumerable<TelemetryLogEntry> candidates = resource is null
                ? _resources.Values.SelectMany(r => r.Logs)
                : _resources.TryGetValue(resource, out var one) ? one.Logs : [];
            var matches = candidates
                .Where(e => e.Seq > afterSeq
                    && TelemetryLevels.Rank(e.Level) >= minLevel
                    && (traceId is null || string.Equals(e.TraceId, traceId, StringComparison.OrdinalIgnoreCase))
                    && (string.IsNullOrEmpty(text) || Contains(e, text)))
                .OrderByDescending(e => e.Seq)
                .Take(limit)
                .Reverse()
                .ToArray();
            return (matches, _lastLogSeq);
        }
    }

    /// <summary>Returns the traces, newest first (by their first span's start).</summary>
    public IReadOnlyList<TelemetryTraceSummary> ListTraces(string? resource, bool errorsOnly, int limit)
    {
        lock (_gate)
        {
            return _traces
                .Select(kv => Summarize(kv.Key, kv.Value))
                .Where(t => (resource is null || t.Resources.Contains(resource, StringComparer.Ordinal)) && (!errorsOnly || t.ErrorCount > 0))
                .OrderByDescending(t => t.Start)
                .Take(limit)
                .ToArray();
        }
    }

    /// <summary>Returns a trace's spans sorted by start, or <see langword="null"/> when no span of it is kept.</summary>
    public IReadOnlyList<TelemetrySpan>? GetTrace(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var spans)
                ? spans.OrderBy(s => s.Start).ThenBy(s => s.SpanId, StringComparer.Ordinal).ToArray()
                : null;
        }
    }

    /// <summary>Returns the instruments (optionally of one resource) with how many points each keeps.</summary>
    public IReadOnlyList<(TelemetryInstrument Instrument, int Points)> ListInstruments(string? resource)
    {
        lock (_gate)
        {
            return _resources.Values
                .Where(r => resource is null || r.Name == resource)
                .SelectMany(r => r.Instruments.Values)
                .OrderBy(i => i.Resource, StringComparer.Ordinal).ThenBy(i => i.Meter, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)
                .Select(i => (i, i.Points.Count))
                .ToArray();
        }
    }

    /// <summary>Returns one instrument's description and its points newer than <paramref name="afterTime"/>, or <see langword="null"/>.</summary>
    public (TelemetryInstrument Instrument, IReadOnlyList<TelemetryMetricPoint> Points)? GetMetric(string resource, string meter, string name, DateTime? afterTime)
    {
        lock (_gate)
        {
            if (!_resources.TryGetValue(resource, out var r) || !r.Instruments.TryGetValue((meter, name), out var instrument))
            {
                return null;
            }

            return (instrument, instrument.Points.Where(p => afterTime is null || p.Time > afterTime).ToArray());
        }
    }

    private ResourceTelemetry ResourceOf(string name)
    {
        if (!_resources.TryGetValue(name, out var resource))
        {
            _resources[name] = resource = new ResourceTelemetry(name);
        }

        return resource;
    }

    private static TelemetryTraceSummary Summarize(string traceId, List<TelemetrySpan> spans)
    {
        var ids = new HashSet<string>(spans.Select(s => s.SpanId), StringComparer.Ordinal);
        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);

        // The root: the span without a parent; else (its parent not received, or dropped) the earliest whose parent is not kept.
        var root = spans.Where(s => s.ParentSpanId is null).MinBy(s => s.Start)
            ?? spans.Where(s => !ids.Contains(s.ParentSpanId!)).MinBy(s => s.Start)
            ?? spans.MinBy(s => s.Start)!;
        var resources = spans.Select(s => s.Resource).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new TelemetryTraceSummary(traceId, root.Name, root.Resource, resources, start, Math.Max(0, (end - start).TotalMilliseconds), spans.Count, spans.Count(s => s.Status == "Error"));
    }

    private static bool Contains(TelemetryLogEntry entry, string text) =>
        entry.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (entry.Template?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || entry.Attributes.Values.Any(v => v.Contains(text, StringComparison.OrdinalIgnoreCase));

    private static string SeriesKey(IReadOnlyDictionary<string, string> attributes) =>
        string.Join('\u001f', attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));

    private void Notify(TelemetryKind kind, IEnumerable<TelemetryLogEntry> entries) => Notify(kind, entries.Select(e => e.Resource));

    private void Notify(TelemetryKind kind, IEnumerable<string> resources)
    {
        if (Changed is not { } changed)
        {
            return;
        }

        foreach (var resource in resources.Distinct(StringComparer.Ordinal))
        {
            changed(kind, resource);
        }
    }

    private sealed class ResourceTelemetry(string name)
    {
        public string Name { get; } = name;

        public Queue<TelemetryLogEntry> Logs { get; } = new();

        public long DroppedLogs { get; set; }

        public Queue<TelemetrySpan> Spans { get; } = new();

        public long DroppedSpans { get; set; }

        public Dictionary<(string Meter, string Name), TelemetryInstrument> Instruments { get; } = new();

        /// <summary>Gets the instrument of every kept point, oldest first: eviction takes the resource's oldest point.</summary>
        public Queue<TelemetryInstrument> PointOrder { get; } = new();

        public int MetricPoints { get; set; }

        public long DroppedMetricPoints { get; set; }
    }
}
