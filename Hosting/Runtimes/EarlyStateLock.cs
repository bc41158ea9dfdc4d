using StackModel.Hosting.State;

namespace StackModel.Hosting.Runtimes;

/// <summary>
/// The state folder's lock as the early starts of a warm start (<see cref="Process.EarlyPostgresLaunch"/>,
/// <see cref="Container.EarlyPostgresContainer"/>) take it before they start a server, one for both, then handed to the start's store
/// (<see cref="StackStateStore.AcquireLock"/>): while it is held no other AppHost starts a server on the folder's cluster, and an
/// early start that cannot take it (another AppHost holds the folder) starts nothing; that start is then refused, naming the holder.
/// </summary>
internal sealed class EarlyStateLock
{
    private readonly Lock _gate = new();
    private FileStream? _stream;
    private bool _handedOver;

    /// <summary>
    /// Takes the lock of <paramref name="stateDirectory"/> for this process (its pid written into it), or finds it taken by the other
    /// early start: <see langword="true"/> while it is held and not yet handed over; <see langword="false"/> when another AppHost holds
    /// the folder, the folder has no lock file yet, or the start took the lock over already (it went ahead without the early start).
    /// </summary>
    public bool TryTake(string stateDirectory)
    {
        lock (_gate)
        {
            if (_handedOver)
            {
                return false;
            }

            _stream ??= StackStateStore.TryTakeLock(stateDirectory);
            return _stream is not null;
        }
    }

    /// <summary>Hands the lock to the start (<see cref="StackStateStore.AcquireLock"/>), <see langword="null"/> when none was taken; after this call no early start takes it.</summary>
    public FileStream? HandOver()
    {
        lock (_gate)
        {
            _handedOver = true;
            var taken = _stream;
            _stream = null;
            return taken;
        }
    }

    /// <summary>Releases the lock when the start never took it (the application was disposed before it started).</summary>
    public void Release() => HandOver()?.Dispose();
}
