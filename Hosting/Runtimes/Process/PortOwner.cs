using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>Finds out whether a TCP port on 127.0.0.1 is free and, on Linux, which process listens on it.</summary>
internal static class PortOwner
{
    public static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Describes the process listening on <paramref name="port"/>, e.g. <c>postgres (pid 123, data folder /var/lib/…)</c>; <see langword="null"/> when unknown.</summary>
    public static string? Describe(int port)
    {
        var pid = FindListeningPid(port);
        if (pid is null)
        {
            return null;
        }

        var argv = ReadCommandLine(pid.Value);
        var program = argv.Length > 0 ? Path.GetFileName(argv[0]) : $"process {pid}";
        if (program == "conmon" && Array.IndexOf(argv, "-n") is var n and >= 0 && n + 1 < argv.Length)
        {
            return $"the container '{argv[n + 1]}' (its conmon is pid {pid})";
        }

        var command = string.Join(' ', argv);
        var description = $"'{(command.Length > 100 ? command[..100] + "…" : command)}' (pid {pid}";
        if (program.StartsWith("postgres", StringComparison.Ordinal) && TryReadLink($"/proc/{pid}/cwd") is { } cwd)
        {
            description += $", data folder {cwd}";
        }

        return description + ")";
    }

    /// <summary>Returns the id of the process listening on <paramref name="port"/> (Linux, /proc), or <see langword="null"/>.</summary>
    public static int? FindListeningPid(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 10 || parts[3] != "0A")
                {
                    continue; // not LISTEN
                }

                var local = parts[1];
                var portHex = local[(local.LastIndexOf(':') + 1)..];
                if (int.Parse(portHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add(parts[9]);
                }
            }
        }

        if (inodes.Count == 0 || !Directory.Exists("/proc"))
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = TryReadLink(fd);
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just exited.
            }
        }

        return null;
    }

    private static string[] ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return [];
        }
    }

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }
}
