namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Where the AppHost's own log lines go while a live view owns the terminal: through the view, which prints them above its
/// table, instead of straight to standard output, which would tear the table apart. Without a view attached, nowhere: the
/// console logger writes them itself.
/// </summary>
internal sealed class ConsoleLogSink
{
    private volatile Func<string, bool>? _target;

    /// <summary>Hands <paramref name="line"/> to the attached view; <see langword="false"/> when none is attached or it declined.</summary>
    public bool TryWrite(string line) => _target is { } target && target(line);

    /// <summary>
    /// Routes log lines to <paramref name="target"/> until the returned handle is disposed. The target returns
    /// <see langword="false"/> for a line it can no longer print, which the console logger then writes itself.
    /// </summary>
    public IDisposable Attach(Func<string, bool> target)
    {
        _target = target;
        return new Detach(this, target);
    }

    private sealed class Detach(ConsoleLogSink sink, Func<string, bool> target) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref sink._target, null, target);
    }
}
