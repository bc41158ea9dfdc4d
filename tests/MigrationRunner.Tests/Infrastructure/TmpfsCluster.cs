using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CliWrap;
using CliWrap.Buffered;
using Npgsql;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// A whole PostgreSQL cluster (data and WAL) on a small tmpfs the test mounts in a temporary folder: a disk that can be
/// filled on purpose. initdb and the server run as the unprivileged <c>postgres</c> account, as the stack runs them; the
/// server listens on 127.0.0.1 on a free port. Dispose stops the server (immediate), unmounts and removes the folder,
/// whatever state the test left it in.
/// </summary>
internal sealed class TmpfsCluster : IAsyncDisposable
{
    public const string Account = "postgres";

    private const string FillerName = "filler.bin";

    private bool _mounted;

    private readonly string[] _serverSettings;

    private TmpfsCluster(string mountPoint, int port, string password, string[] serverSettings)
    {
        _serverSettings = serverSettings;
        MountPoint = mountPoint;
        Port = port;
        Password = password;
    }

    /// <summary>Gets the folder the tmpfs is mounted on.</summary>
    public string MountPoint { get; }

    public string DataDirectory => Path.Combine(MountPoint, "data");

    public string ServerLog => Path.Combine(MountPoint, "server.log");

    public int Port { get; }

    public string Password { get; }

    /// <summary>Gets the bytes the tmpfs can still take (statvfs).</summary>
    public long AvailableBytes => new DriveInfo(MountPoint).AvailableFreeSpace;

    /// <summary>Gets the tmpfs size (statvfs).</summary>
    public long TotalBytes => new DriveInfo(MountPoint).TotalSize;

    /// <summary>Why this machine cannot run the test (not root, no mount/runuser, no PostgreSQL binaries), or null.</summary>
    public static string? MissingInfrastructure()
    {
        if (PostgresAvailability.MissingReason is { } missing)
        {
            return missing;
        }

        if (!OperatingSystem.IsLinux() || !string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            return "mounting a tmpfs needs root on Linux (the test fills a small disk on purpose); run the tests as root, as CI does.";
        }

        foreach (var tool in new[] { "/usr/bin/mount", "/usr/bin/umount", "/usr/sbin/runuser" })
        {
            if (!File.Exists(tool) && !File.Exists(tool.Replace("/usr", string.Empty, StringComparison.Ordinal)))
            {
                return $"{Path.GetFileName(tool)} is missing (apt-get install util-linux mount).";
            }
        }

        return null;
    }

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/>, runs initdb on it as <c>postgres</c>, starts the server and creates <paramref name="database"/>.</summary>
    public static async Task<TmpfsCluster> StartAsync(long sizeBytes, string database, CancellationToken cancellationToken, params string[] serverSettings)
    {
        var folder = Directory.CreateTempSubdirectory("stackmodel-diskfull-").FullName;
        var cluster = new TmpfsCluster(folder, FreePort(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), serverSettings);
        try
        {
            await RunAsync("mount", ["-t", "tmpfs", "-o", $"size={sizeBytes},mode=0700", "tmpfs", folder], cancellationToken);
            cluster._mounted = true;
            await RunAsync("chown", [$"{Account}:{Account}", folder], cancellationToken);

            var passwordFile = Path.Combine(folder, "pwfile");
            await File.WriteAllTextAsync(passwordFile, cluster.Password, cancellationToken);
            await RunAsync("chown", [$"{Account}:{Account}", passwordFile], cancellationToken);
            await RunAsPostgresAsync(
                "initdb",
                ["-D", cluster.DataDirectory, "-U", "postgres", "--pwfile", passwordFile, "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--no-sync"],
                cancellationToken);
            File.Delete(passwordFile);
            await cluster.StartServerAsync(cancellationToken);

            await using var connection = await cluster.OpenAsync("postgres", cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The superuser connection string for <paramref name="database"/>; no pooling, so nothing lingers.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = database,
        Pooling = false,
        Timeout = 30,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Starts a fresh WAL segment (switch, then a checkpoint), so that the next writes have almost a whole segment of WAL
    /// already allocated: the next file to grow on a full disk is then a table's data file, not the WAL.
    /// Returns the offset of the WAL insert position inside its segment, in bytes.
    /// </summary>
    public async Task<long> StartFreshWalSegmentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync("postgres", cancellationToken);
        foreach (var sql in new[] { "SELECT pg_switch_wal()", "CREATE TABLE wal_probe (id integer)", "DROP TABLE wal_probe", "CHECKPOINT" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var offset = new NpgsqlCommand(
            "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint % setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'",
            connection);
        return (long)(await offset.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Writes a file of zeros (real pages, not a sparse file) so that exactly about <paramref name="leaveFreeBytes"/> stay free.</summary>
    public async Task FillLeavingAsync(long leaveFreeBytes, CancellationToken cancellationToken)
    {
        var toWrite = AvailableBytes - leaveFreeBytes;
        var chunk = new byte[1 << 20];
        await using var filler = new FileStream(Path.Combine(MountPoint, FillerName), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        while (toWrite > 0)
        {
            var length = (int)Math.Min(chunk.Length, toWrite);
            await filler.WriteAsync(chunk.AsMemory(0, length), cancellationToken);
            toWrite -= length;
        }
    }

    /// <summary>Grows (or shrinks) the tmpfs in place, keeping its files: <c>mount -o remount,size=</c>.</summary>
    public Task ResizeAsync(long sizeBytes, CancellationToken cancellationToken) =>
        RunAsync("mount", ["-o", $"remount,size={sizeBytes}", MountPoint], cancellationToken);

    /// <summary>Frees the space the filler took.</summary>
    public void RemoveFiller() => File.Delete(Path.Combine(MountPoint, FillerName));

    /// <summary>Waits until the postmaster has gone (a server that shut itself down), or the token fires.</summary>
    public async Task WaitForServerGoneAsync(CancellationToken cancellationToken)
    {
        while (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Whether the server still accepts a connection.</summary>
    public async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync("postgres", cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await TryAsync(() => RunAsPostgresAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30"], timeout.Token));
        }

        if (_mounted)
        {
            if (!await TryAsync(() => RunAsync("umount", [MountPoint], timeout.Token)))
            {
                // Something still holds a file there: detach it now, the kernel frees it when the holder goes.
                await TryAsync(() => RunAsync("umount", ["-l", MountPoint], timeout.Token));
            }
        }

        try
        {
            Directory.Delete(MountPoint, recursive: !_mounted || !IsMountPoint(MountPoint));
        }
        catch (IOException)
        {
            // Still mounted: never delete through a live mount; the failure shows in the test's own assertions.
        }
    }

    /// <summary>Starts the server again (after it stopped itself), as the AppHost's restart of the postgres resource would.</summary>
    public async Task StartServerAsync(CancellationToken cancellationToken) =>
        await RunAsPostgresAsync(
            "pg_ctl",
            ["start", "-D", DataDirectory, "-l", ServerLog, "-w", "-t", "60", "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {MountPoint} -c listen_addresses=127.0.0.1{string.Concat(_serverSettings.Select(setting => " -c " + setting))}"],
            cancellationToken);

    private static bool IsMountPoint(string folder) =>
        File.ReadAllLines("/proc/self/mounts").Any(line => line.Split(' ') is [_, var target, ..] && string.Equals(target, folder, StringComparison.Ordinal));

    private static async Task<bool> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            return false;
        }
    }

    private static Task RunAsPostgresAsync(string program, string[] arguments, CancellationToken cancellationToken) =>
        RunAsync("runuser", ["-u", Account, "--", Path.Combine(PostgresAvailability.BinDirectory!, program), .. arguments], cancellationToken);

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var result = await Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory("/")
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"\"{program} {string.Join(' ', arguments)}\" exited with {result.ExitCode}: {result.StandardError.Trim()} {result.StandardOutput.Trim()}");
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
