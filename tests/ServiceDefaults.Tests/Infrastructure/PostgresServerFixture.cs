using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace StackModel.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a free port on 127.0.0.1, its own
/// socket folder, scram password auth over TCP; <c>pg_ctl stop -m fast</c> and the folder removed on dispose.
/// initdb and postgres refuse to run as root, so as root they run as the <c>postgres</c> OS user (which gets
/// the folder); as any other user they run directly.
/// Missing binaries: tests marked <see cref="PostgresFactAttribute"/> skip with a reason, except when
/// <c>CI=true</c>, where this fixture fails instead (CI never passes by skipping).
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string BinDirectoryVariable = "STACKMODEL_PG_BIN";
    public const string Username = "postgres";

    /// <summary>A password with characters that must be percent-encoded in a URL.</summary>
    public const string Password = "p@ss:w/rd%?#1";

    private const string OsUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(IsCi ? 120 : 60);

    private DirectoryInfo? _root;
    private string? _dataDirectory;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder of initdb / pg_ctl / postgres, or null when none is installed.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>Why PostgreSQL tests skip here, or null when they run (binaries found, or on CI where they fail).</summary>
    public static string? SkipReason => BinDirectory is null && !IsCi
        ? $"PostgreSQL server binaries not found (looked in ${BinDirectoryVariable} and /usr/lib/postgresql/*/bin). " +
          "Install postgresql-15 (apt-get install -y postgresql-15) or set " + BinDirectoryVariable + "."
        : null;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = Username,
        Password = Password,
        Pooling = false,
    }.ConnectionString;

    /// <summary>The database as LiteLLM's <c>DATABASE_URL</c> names it, user and password percent-encoded.</summary>
    public string DatabaseUrl(string database) =>
        $"postgresql://{Uri.EscapeDataString(Username)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(database)}";

    /// <summary>Creates a database with a fresh name and returns that name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"", cancellationToken);
        return name;
    }

    public async Task ExecuteAsync(string database, string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(string database, string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public async Task InitializeAsync()
    {
        if (BinDirectory is null)
        {
            if (IsCi)
            {
                throw new InvalidOperationException(
                    $"CI=true and no PostgreSQL server binaries were found (${BinDirectoryVariable}, /usr/lib/postgresql/*/bin). " +
                    "CI must run the PostgreSQL tests: install postgresql-15 in .ci/run.");
            }

            return;
        }

        _root = Directory.CreateTempSubdirectory("stackmodel-pg-");
        _dataDirectory = Path.Combine(_root.FullName, "data");
        var socketDirectory = Directory.CreateDirectory(Path.Combine(_root.FullName, "sockets")).FullName;
        var passwordFile = Path.Combine(_root.FullName, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");

        if (RunsAsRoot)
        {
            await RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", _root.FullName], asPostgres: false);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
        [
            "-D", _dataDirectory, "-U", Username, "--pwfile", passwordFile, "-E", "UTF8", "--no-locale", "-N",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ], asPostgres: true);
        File.Delete(passwordFile);

        Exception? lastFailure = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = GetFreePort();
            try
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
                [
                    "start", "-w", "-t", "60", "-D", _dataDirectory, "-l", Path.Combine(_root.FullName, "postgres.log"),
                    "-o", $"-c port={Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{socketDirectory}' " +
                          "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                ], asPostgres: true);
                return;
            }
            catch (InvalidOperationException exception)
            {
                // Another process may have taken the free port between the probe and the start.
                lastFailure = exception;
            }
        }

        throw new InvalidOperationException($"PostgreSQL did not start after 3 tries; log: {ReadLog()}", lastFailure);
    }

    public async Task DisposeAsync()
    {
        if (_root is null || BinDirectory is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(_dataDirectory!, "postmaster.pid")))
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["stop", "-m", "fast", "-w", "-D", _dataDirectory!], asPostgres: true);
            }
        }
        finally
        {
            _root.Delete(recursive: true);
        }
    }

    private static bool RunsAsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    private static string? FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        candidates.Add("/usr/lib/postgresql/15/bin");
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderDescending(StringComparer.Ordinal)
                .Select(version => Path.Combine(version, "bin")));
        }

        return candidates.FirstOrDefault(directory =>
            File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")));
    }

    private string ReadLog()
    {
        var log = _root is null ? null : Path.Combine(_root.FullName, "postgres.log");
        return log is not null && File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && RunsAsRoot)
        {
            startInfo.FileName = "runuser";
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add(OsUser);
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(fileName);
        }
        else
        {
            startInfo.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"'{fileName}' did not finish within {CommandTimeout}: {output}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {output}");
        }
    }
}
