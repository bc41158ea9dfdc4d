using System.Text.Json;
using System.Text.Json.Nodes;
using StackModel.ServiceDefaults.Guard;

namespace StackModel.Hosting.State;

/// <summary>
/// The stack's state folder (default <c>.stackmodel/</c> in the AppHost project folder, <c>Stack:StateDirectory</c> overrides):
/// generated secrets (<c>secrets.json</c>, mode 0600), the stack record (<c>stack.json</c>) and the PostgreSQL data folder.
/// </summary>
internal sealed class StackStateStore : IDisposable
{
    private const string SecretsFileName = "secrets.json";
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
            throw new DistributedApplicationException(
                $"The stack's state folder '{Directory}' is not writable ({ex.Message}). Give your user write access to it, or point Stack:StateDirectory at a writable folder.", ex);
        }
    }

    /// <summary>Takes the folder for this AppHost process; a second AppHost on the same state is refused.</summary>
    public void AcquireLock()
    {
        var path = Path.Combine(Directory, "apphost.lock");
        try
        {
            _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new DistributedApplicationException(
                $"Another AppHost is running on the state folder '{Directory}'. Stop it first (Ctrl+C in its terminal), or give this one its own Stack:StateDirectory.", ex);
        }
    }

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
