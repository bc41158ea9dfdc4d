using System.Text.Json;
using System.Text.Json.Nodes;
using StackModel.Hosting.Runtimes;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.State;

/// <summary>
/// The stack's state folder (default <c>.stackmodel/</c> in the AppHost project folder, <c>Stack:StateDirectory</c> overrides):
/// generated secrets (<c>secrets.json</c>, mode 0600), the stack record (<c>stack.json</c>) and the PostgreSQL data folder.
/// </summary>
internal sealed class StackStateStore : IDisposable
{
    private const string SecretsFileName = "secrets.json";
    private const string LockFileName = "apphost.lock";
    private readonly Lock _gate = new();
    private Task<StackRecord?>? _recordAtStart;
    private FileStream? _lock;

    public StackStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string SecretsPath => Path.Combine(Directory, SecretsFileName);

    public string RecordPath => Path.Combine(Directory, StackRecord.FileName);

    public string PostgresDirectory => Path.Combine(Directory, "postgres");

    /// <summary>Gets a value indicating whether the stack created its PostgreSQL cluster already (a record, or a data folder here).</summary>
    public bool HasCluster => File.Exists(RecordPath) || File.Exists(Path.Combine(PostgresDirectory, "data", "PG_VERSION"));

    /// <summary>Creates the folder (mode 0711: only its owner lists it; the PostgreSQL account may pass through) and checks it is writable.</summary>
    public void EnsureCreated()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            var probe = Path.Combine(Directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw NotWritable(ex);
        }
    }

    /// <summary>Gets the lock file an AppHost holds (an advisory lock) while it runs on this folder; it contains that AppHost's pid.</summary>
    public string LockPath => Path.Combine(Directory, LockFileName);

    /// <summary>
    /// Takes the folder for this process and writes its pid into the lock file. A second AppHost on the same folder is refused
    /// (<see cref="StateFolderInUseException"/>, naming the holder's pid) before it writes anything: the only thing it may have
    /// done is create the folder and an empty lock file when neither existed.
    /// </summary>
    /// <param name="taken">
    /// The lock of this folder already taken by this process (<see cref="TryTakeLock"/>, as PostgreSQL's container was started early), or
    /// <see langword="null"/> to take it now.
    /// </param>
    public void AcquireLock(FileStream? taken = null)
    {
        if (taken is not null && taken.Name == LockPath)
        {
            _lock = taken;
            return;
        }

        taken?.Dispose();
        FileStream stream;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            stream = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (IsHeldByAnother(ex))
        {
            var holder = AwaitHolderProcessId(LockPath);
            var who = holder is { } pid ? $"Another AppHost (pid {pid})" : "Another AppHost";
            var stop = holder is { } p ? $"Ctrl+C in its terminal, or kill {p}" : "Ctrl+C in its terminal";
            throw new StateFolderInUseException(
                $"{who} is running on the state folder '{Directory}'; this one stopped without changing anything. " +
                $"Stop that one first ({stop}), or give this one its own Stack:StateDirectory.", holder, ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw NotWritable(ex);
        }

        WriteHolder(stream);
        _lock = stream;
    }

    /// <summary>
    /// Takes the lock of the existing state folder <paramref name="directory"/> as <see cref="AcquireLock"/> does (this process's pid
    /// written into it), for a start that does something on the folder's behalf before its store exists; <see langword="null"/> when
    /// another AppHost holds it, or the folder has no lock file yet. <see cref="AcquireLock"/> then keeps the stream.
    /// </summary>
    public static FileStream? TryTakeLock(string directory)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(directory, LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        WriteHolder(stream);
        return stream;
    }

    // This process's pid into the lock file it holds: a courtesy for a second AppHost's message (the lock itself is held either way).
    private static void WriteHolder(FileStream stream)
    {
        try
        {
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
            stream.Flush();
        }
        catch (IOException)
        {
            // Not written: the lock is still held.
        }
    }

    // .NET reports the advisory lock held elsewhere (flock: EWOULDBLOCK, 11 on Linux, 35 on macOS) as an IOException carrying the errno.
    private static bool IsHeldByAnother(IOException ex) =>
        ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException) && ex.HResult is 11 or 35;

    /// <summary>
    /// The pid of the AppHost that holds the lock, as it wrote it into the lock file; <see langword="null"/> when none is read that
    /// names a running process. An AppHost that took the lock an instant ago (one started at the same instant as this one) truncates the
    /// file and writes its pid just after: until then the file is empty or holds the pid of an AppHost that is gone, so it is read
    /// again, for a moment (Linux, macOS: a pid is probed without signalling it).
    /// </summary>
    private static int? AwaitHolderProcessId(string path)
    {
        var deadline = Environment.TickCount64 + 250;
        while (true)
        {
            var holder = ReadHolderProcessId(path);
            if (OperatingSystem.IsWindows() || (holder is { } pid && NativeMethods.ProcessExists(pid)))
            {
                return holder;
            }

            if (Environment.TickCount64 > deadline)
            {
                return null;
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>Reads the pid an AppHost wrote into the lock file without taking the lock (a read through .NET would ask for it).</summary>
    private static int? ReadHolderProcessId(string path)
    {
        try
        {
            var text = NativeMethods.ReadWithoutLocking(path, 32);
            return int.TryParse(text?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private DistributedApplicationException NotWritable(Exception ex) => new(
        $"The stack's state folder '{Directory}' is not writable ({ex.Message}). Give your user write access to it, or point Stack:StateDirectory at a writable folder.", ex);

    /// <summary>Returns the stored value of a generated parameter, generating and storing it (mode 0600) the first time.</summary>
    public string GetOrCreateSecret(string name, Func<string> generate)
    {
        lock (_gate)
        {
            var secrets = ReadSecrets();
            if (secrets[name]?.GetValue<string>() is { Length: > 0 } existing)
            {
                return existing;
            }

            var value = generate();
            secrets[name] = value;
            WriteSecrets(secrets);
            return value;
        }
    }

    /// <summary>Returns the stored value of a parameter, or <see langword="null"/>.</summary>
    public string? TryGetSecret(string name)
    {
        lock (_gate)
        {
            return File.Exists(SecretsPath) ? ReadSecrets()[name]?.GetValue<string>() : null;
        }
    }

    /// <summary>Reads the stack record, or returns <see langword="null"/> before the cluster was created.</summary>
    public StackRecord? ReadRecord()
    {
        try
        {
            return StackRecord.TryRead(RecordPath);
        }
        catch (StackGuardException ex)
        {
            throw new DistributedApplicationException(ex.Message, ex);
        }
    }

    public void WriteRecord(StackRecord record) => record.Write(RecordPath);

    /// <summary>
    /// Starts reading the stack record on another thread, for <see cref="ReadRecordAtStartAsync"/>: the JSON serializer's first
    /// use in a process costs tens of milliseconds, which then pass while the rest of the stack is set up.
    /// </summary>
    public void PreloadRecord() => _recordAtStart ??= Task.Run(ReadRecord);

    /// <summary>
    /// The record as it was when the stack started, for a reader before the server's runner (the container runtime's early volume
    /// check): the preloaded one, shared rather than parsed twice on the start path, and left for <see cref="ReadRecordAtStartAsync"/>.
    /// </summary>
    public Task<StackRecord?> PeekRecordAtStartAsync() => Volatile.Read(ref _recordAtStart) ?? Task.Run(ReadRecord);

    /// <summary>The record as it was when the stack started (preloaded once by <see cref="PreloadRecord"/>), else read now.</summary>
    public Task<StackRecord?> ReadRecordAtStartAsync() => Interlocked.Exchange(ref _recordAtStart, null) ?? Task.FromResult(ReadRecord());

    /// <summary>Throws when the stack record cannot be read (corrupt, truncated), so the start stops before anything runs; leaves the preloaded record for the server.</summary>
    public async Task EnsureRecordReadableAsync()
    {
        if (Volatile.Read(ref _recordAtStart) is { } preloaded)
        {
            _ = await preloaded.ConfigureAwait(false);
        }
        else
        {
            _ = ReadRecord();
        }
    }

    public void Dispose() => _lock?.Dispose();

    private JsonObject ReadSecrets()
    {
        if (!File.Exists(SecretsPath))
        {
            return [];
        }

        RefuseOpenToOthers();
        try
        {
            return JsonNode.Parse(File.ReadAllText(SecretsPath)) as JsonObject
                ?? throw new JsonException("the top level is not an object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new DistributedApplicationException(
                $"The state file '{SecretsPath}' is corrupt ({ex.Message}). It holds the passwords the stack's PostgreSQL was created with, so it was left untouched and nothing was started " +
                "(a new password would lock you out of your own data). Restore it from a backup or undo the edit (a JSON object of \"name\": \"value\" pairs, mode 0600), " +
                $"or, to start over with an empty stack, stop the AppHost and delete the state folder '{Directory}' (this deletes the stack's data).", ex);
        }
    }

    /// <summary>Refuses a secrets file that other users may read or change: the stack never uses passwords it cannot keep to its user.</summary>
    private void RefuseOpenToOthers()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(SecretsPath);
        if ((mode & others) != 0)
        {
            throw new DistributedApplicationException(
                $"The state file '{SecretsPath}' holds the stack's passwords and is open to other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; expected 0600). " +
                $"It was left untouched and nothing was started. Make it private with: chmod 600 '{SecretsPath}', then start again " +
                "(if others could read it, treat its passwords as known to them).");
        }
    }

    private void WriteSecrets(JsonObject secrets) =>
        SecureFile.WriteAllText(SecretsPath, secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
