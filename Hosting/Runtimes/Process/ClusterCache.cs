using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// A machine-wide cache of pristine clusters for test stacks (<c>Stack:TestCluster</c>): <c>initdb</c> runs once per entry key (the
/// PostgreSQL binaries, the <c>initdb</c> arguments, the account PostgreSQL runs as, this format's version), and every new test
/// cluster is a copy of that entry (a <c>tar</c> pipe) instead of an <c>initdb</c> of its own.
/// <para>
/// Each entry has a random superuser password of its own (kept in the entry's <c>entry.json</c>, mode 0600, in the cache folder,
/// mode 0700, owned by the account PostgreSQL runs as); a copy's password is replaced by its stack's own as soon as the copy accepts
/// connections, so no two stacks share a secret. Entries are built under a temporary name and renamed into place once complete, under
/// a lock file, so concurrent test processes build an entry once and never see a half-built one; an entry whose files do not match what
/// its <c>entry.json</c> recorded (a stale or damaged entry) is removed and rebuilt, never copied.
/// </para>
/// </summary>
internal static class ClusterCache
{
    /// <summary>Changes whenever what an entry holds changes (initdb arguments, the entry's layout): old entries are then simply not found.</summary>
    private const string FormatVersion = "4";

    /// <summary>
    /// How many empty databases (copies of <c>template1</c>, made once in the entry) a copy gets to rename into its stack's databases
    /// instead of a <c>CREATE DATABASE</c> each (the stack's own declares two: app_dev and litellm_dev); a copy drops those it does not use.
    /// </summary>
    internal const int SpareDatabases = 2;

    /// <summary>The name of spare database <paramref name="index"/> (1-based) in an entry.</summary>
    internal static string SpareDatabase(int index) => $"stackmodel_spare_{index}";
    private const string EntryFileName = "entry.json";
    private const string LockFileName = ".lock";
    private const string BuildPrefix = ".build-";
    private const string StalePrefix = ".stale-";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The arguments every cluster of the stack gets from <c>initdb</c>, besides its folder and password file.</summary>
    public static IReadOnlyList<string> InitDbArguments { get; } =
        ["-U", "postgres", "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-sync", "--no-instructions"];

    /// <summary>
    /// What a cache entry's <c>initdb</c> adds: 1 MB write-ahead log segments instead of 16 MB (a fresh cluster's one segment was a third
    /// of every copy; a test cluster's short life never misses the larger segments).
    /// </summary>
    public static IReadOnlyList<string> EntryInitDbArguments { get; } = [.. InitDbArguments, "--wal-segsize=1"];

    /// <summary>
    /// Copies the entry for <paramref name="binaries"/> and <paramref name="user"/> from <paramref name="cacheDirectory"/> to
    /// <paramref name="data"/> (which must not exist or be empty), building the entry first when it is missing or damaged (with
    /// <paramref name="initDb"/>: the folder to run in, the data folder, the password). Returns the entry's folder and its password,
    /// which the copy's superuser has until <see cref="ReplacePasswordAndNameSparesAsync"/>.
    /// </summary>
    public static async Task<(string Entry, string Password)> CopyAsync(
        string cacheDirectory, PostgresBinaries binaries, OsUser user, string data,
        Func<string, string, string, CancellationToken, Task> initDb, CancellationToken cancellationToken)
    {
        var key = KeyFor(binaries, user);
        var entry = Path.Combine(cacheDirectory, key[..16]);
        PrepareCacheFolder(cacheDirectory, user);
        var manifest = Validate(entry, key);
        if (manifest is null)
        {
            await using var gate = await LockAsync(Path.Combine(cacheDirectory, LockFileName), cancellationToken).ConfigureAwait(false);
            manifest = Validate(entry, key); // another process may have built it while this one waited
            if (manifest is null)
            {
                if (!await user.CanEnterAsync(cacheDirectory, cancellationToken).ConfigureAwait(false))
                {
                    throw new DistributedApplicationException(
                        $"The account '{user.Name}' that runs PostgreSQL cannot enter the test clusters' cache folder '{cacheDirectory}' (one of its parents is private to its owner), " +
                        "so no cluster can be built there. Point STACKMODEL_CLUSTER_CACHE (or Stack:ClusterCacheDirectory) at a folder below one that account can enter, e.g. /var/cache/stackmodel/clusters.");
                }

                RemoveLeftovers(cacheDirectory);
                manifest = await BuildAsync(cacheDirectory, entry, key, binaries, user, initDb, cancellationToken).ConfigureAwait(false);
            }
        }

        if (Directory.Exists(data))
        {
            Directory.Delete(data); // empty (checked by the caller): cp would copy into it otherwise
        }

        await CopyTreeAsync(Path.Combine(entry, "data"), data, cancellationToken).ConfigureAwait(false);
        return (entry, manifest.Password);
    }

    /// <summary>
    /// Gives the copy's superuser <paramref name="password"/> (the stack's own) over a connection made with the entry's password, and
    /// in the same round trip renames spare databases into <paramref name="databases"/> (the stack's, which a new copy lacks); the
    /// spares left over are dropped.
    /// </summary>
    public static async Task ReplacePasswordAndNameSparesAsync(
        int port, string entryPassword, string password, IReadOnlyList<string> databases, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = entryPassword, Database = "postgres", Pooling = false }.ConnectionString;
        await using var dataSource = PostgresProvisioner.CreateAdminDataSource(connectionString);
        await using var connection = await PostgresProvisioner.OpenWhenAcceptingAsync(dataSource, serverExited, timeout, cancellationToken).ConfigureAwait(false);
        var renamed = databases.Where(d => d is not ("postgres" or "template0" or "template1")).Distinct(StringComparer.Ordinal).Take(SpareDatabases).ToList();
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(new($"ALTER ROLE postgres PASSWORD {ProvisioningSql.Literal(password)}"));
            for (var i = 0; i < renamed.Count; i++)
            {
                batch.BatchCommands.Add(new($"ALTER DATABASE {SpareDatabase(i + 1)} RENAME TO {PostgresIdentifiers.Quote(renamed[i])}"));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var i = renamed.Count; i < SpareDatabases; i++)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE {SpareDatabase(i + 1)}", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the entry's new cluster once (Unix socket only, no TCP port), creates the spare databases and stops it cleanly (a shutdown
    /// checkpoint: a copy starts without recovery).
    /// </summary>
    private static async Task CreateSparesAsync(PostgresBinaries binaries, OsUser user, string root, string data, string password, CancellationToken cancellationToken)
    {
        var sockets = root.Length + "/.s.PGSQL.5432".Length < 100 ? root : Path.GetTempPath().TrimEnd('/');
        var output = new List<string>();
        var (program, args) = user.Wrap(binaries.Postgres, ["-D", data, "-p", "5432", "-c", "listen_addresses=", "-c", $"unix_socket_directories={sockets}", "-c", "fsync=off"]);
        await using var server = ChildProcess.Start(program, args, root, new Dictionary<string, string?>(), (line, _) =>
        {
            lock (output)
            {
                output.Add(line);
            }
        });
        try
        {
            await PostmasterPidFile.WaitUntilReadyAsync(data, server.Id, server.Exited, TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            var connectionString = new NpgsqlConnectionStringBuilder { Host = sockets, Port = 5432, Username = "postgres", Password = password, Database = "postgres", Pooling = false }.ConnectionString;
            await using var dataSource = PostgresProvisioner.CreateAdminDataSource(connectionString);
            await using var connection = await PostgresProvisioner.OpenWhenAcceptingAsync(dataSource, server.Exited, TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            for (var i = 1; i <= SpareDatabases; i++)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {SpareDatabase(i)}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not DistributedApplicationException)
        {
            throw new DistributedApplicationException(
                $"Preparing the test clusters' cache entry in '{root}' failed ({ex.Message}); PostgreSQL said: {string.Join(' ', output.TakeLast(5))}. Nothing was kept; fix the cause and start again.", ex);
        }
        finally
        {
            await server.StopAsync(NativeMethods.SigInt, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        }

        if (server.Exited.IsCompletedSuccessfully && await server.Exited.ConfigureAwait(false) != 0)
        {
            throw new DistributedApplicationException(
                $"The test clusters' cache entry in '{root}' did not stop cleanly (exit code {await server.Exited.ConfigureAwait(false)}): {string.Join(' ', output.TakeLast(5))}. Nothing was kept; start again.");
        }

        File.Delete(Path.Combine(data, "postmaster.opts"));
    }

    /// <summary>
    /// The entry's key: a SHA-256 of this format's version, the <c>initdb</c> arguments, the account, and the identity of the binaries
    /// (their folder, and size and modification time of <c>initdb</c> and <c>postgres</c>: an upgraded package gives a new entry).
    /// </summary>
    internal static string KeyFor(PostgresBinaries binaries, OsUser user)
    {
        var text = new StringBuilder()
            .Append("format=").Append(FormatVersion).Append('\n')
            .Append("initdb=").AppendJoin(' ', EntryInitDbArguments).Append('\n')
            .Append("spares=").Append(SpareDatabases).Append('\n')
            .Append("user=").Append(user.Name).Append(' ').Append(user.Uid).Append(' ').Append(user.Gid).Append('\n')
            .Append("bin=").Append(binaries.Directory).Append('\n');
        foreach (var program in new[] { binaries.InitDb, binaries.Postgres })
        {
            var file = new FileInfo(program);
            text.Append(program).Append(' ').Append(file.Length).Append(' ').Append(file.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The entry's record when its files are what it recorded when it was built; <see langword="null"/> when it is missing, stale or damaged.</summary>
    internal static ClusterCacheEntry? Validate(string entry, string key)
    {
        ClusterCacheEntry? manifest;
        try
        {
            var path = Path.Combine(entry, EntryFileName);
            if (!File.Exists(path))
            {
                return null;
            }

            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), ClusterCacheJsonContext.Default.ClusterCacheEntry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        if (manifest is null || manifest.Key != key || string.IsNullOrEmpty(manifest.Password))
        {
            return null;
        }

        try
        {
            var (files, bytes, control) = Fingerprint(Path.Combine(entry, "data"));
            return files == manifest.Files && bytes == manifest.Bytes && control == manifest.ControlFileSha256 ? manifest : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The number of files under <paramref name="data"/>, their total size and the SHA-256 of <c>global/pg_control</c> (the cluster's identity and state).</summary>
    private static (long Files, long Bytes, string ControlFileSha256) Fingerprint(string data)
    {
        long files = 0, bytes = 0;
        foreach (var file in new DirectoryInfo(data).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            files++;
            bytes += file.Length;
        }

        return (files, bytes, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(data, "global", "pg_control")))));
    }

    private static async Task<ClusterCacheEntry> BuildAsync(
        string cacheDirectory, string entry, string key, PostgresBinaries binaries, OsUser user,
        Func<string, string, string, CancellationToken, Task> initDb, CancellationToken cancellationToken)
    {
        var building = Path.Combine(cacheDirectory, BuildPrefix + Path.GetFileName(entry) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true));
        Directory.CreateDirectory(building);
        try
        {
            SetPrivate(building);
            user.TakeOwnership(building);
            var password = RandomNumberGenerator.GetHexString(32, lowercase: true);
            var data = Path.Combine(building, "data");
            await initDb(building, data, password, cancellationToken).ConfigureAwait(false);
            await CreateSparesAsync(binaries, user, building, data, password, cancellationToken).ConfigureAwait(false);
            var (files, bytes, control) = Fingerprint(data);
            var manifest = new ClusterCacheEntry
            {
                Key = key,
                Password = password,
                CreatedAt = DateTimeOffset.UtcNow,
                PostgresVersion = File.ReadAllText(Path.Combine(data, "PG_VERSION")).Trim(),
                Files = files,
                Bytes = bytes,
                ControlFileSha256 = control,
            };
            var manifestPath = Path.Combine(building, EntryFileName);
            await using (var stream = new FileStream(manifestPath, SecureFile.OwnerOnly(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                await JsonSerializer.SerializeAsync(stream, manifest, ClusterCacheJsonContext.Default.ClusterCacheEntry, cancellationToken).ConfigureAwait(false);
            }

            if (Directory.Exists(entry))
            {
                // Stale or damaged (Validate said so under the lock): moved aside in one step, then deleted.
                var stale = Path.Combine(cacheDirectory, StalePrefix + Path.GetFileName(entry) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true));
                Directory.Move(entry, stale);
                Directory.Delete(stale, recursive: true);
            }

            Directory.Move(building, entry); // atomic: a reader sees no entry or a complete one
            return manifest;
        }
        catch
        {
            if (Directory.Exists(building))
            {
                Directory.Delete(building, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Removes what a killed builder left (only the lock's holder builds, so under the lock every such folder is abandoned).</summary>
    private static void RemoveLeftovers(string cacheDirectory)
    {
        foreach (var folder in Directory.EnumerateDirectories(cacheDirectory))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith(BuildPrefix, StringComparison.Ordinal) || name.StartsWith(StalePrefix, StringComparison.Ordinal))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Creates the cache folder (mode 0700, owned by the account PostgreSQL runs as); refuses one other users could write to.</summary>
    private static void PrepareCacheFolder(string cacheDirectory, OsUser user)
    {
        if (!Directory.Exists(cacheDirectory))
        {
            Directory.CreateDirectory(cacheDirectory);
            SetPrivate(cacheDirectory);
            user.TakeOwnership(cacheDirectory);
            return;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(cacheDirectory) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new DistributedApplicationException(
                $"The test clusters' cache folder '{cacheDirectory}' may be written by other users (mode {Convert.ToString((int)File.GetUnixFileMode(cacheDirectory), 8)}; expected 0700), " +
                $"so a cluster copied from it could not be trusted. Nothing was copied. Delete it (rm -rf '{cacheDirectory}') to have it recreated, or make it private (chmod 700).");
        }
    }

    private static void SetPrivate(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, Private);
        }
    }

    private static async Task CopyTreeAsync(string source, string destination, CancellationToken cancellationToken)
    {
        // A tar pipe keeps the owner (the PostgreSQL account, when run as root) and the modes PostgreSQL insists on (a 0700 data
        // folder), and costs a quarter of cp -a's system time here (cp maps and unmaps a buffer per file: 1,600 files, measured
        // 0.45 s vs 0.12 s of system time under load); without bash (for pipefail), cp -a.
        string program;
        string[] args;
        if (File.Exists("/bin/bash"))
        {
            Directory.CreateDirectory(destination);
            program = "/bin/bash";
            args = ["-o", "pipefail", "-c", "tar -C \"$1\" -cf - . | tar -C \"$2\" -xpf -", "bash", source, destination];
        }
        else
        {
            program = "cp";
            args = ["-a", source, destination];
        }

        var output = new List<string>();
        await using var copy = ChildProcess.Start(program, args, "/", new Dictionary<string, string?>(), (line, _) =>
        {
            lock (output)
            {
                output.Add(line);
            }
        });
        var exitCode = await copy.Exited.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new DistributedApplicationException(
                $"Copying the cached cluster '{source}' to '{destination}' failed ({Path.GetFileName(program)} exit code {exitCode}: {string.Join(' ', output.TakeLast(3))}). " +
                $"Free disk space, or delete the cache folder '{Path.GetDirectoryName(Path.GetDirectoryName(source))}' to have it rebuilt.");
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        // FileShare.None is an exclusive advisory lock (flock) on Unix: held by one process at a time, released when it exits.
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, SecureFile.OwnerOnly(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (watch.Elapsed < LockTimeout)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new DistributedApplicationException(
                    $"Another process has held the test clusters' cache lock '{path}' for over {LockTimeout.TotalMinutes:0} minutes. " +
                    "Find it with: fuser -v '" + path + "', or stop the other test runs and start again.", ex);
            }
        }
    }
}
