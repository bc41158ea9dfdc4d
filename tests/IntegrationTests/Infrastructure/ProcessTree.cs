using System.Globalization;
using System.Text;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>What /proc says about processes: parents, command lines, open files, signal dispositions (Linux).</summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> All() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToArray();

    /// <summary>Every process below <paramref name="root"/> (children, their children, ...), not the root itself.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var parents = All().Select(pid => (Pid: pid, Parent: ParentOf(pid))).Where(p => p.Parent > 0).ToArray();
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var current))
        {
            foreach (var (pid, _) in parents.Where(p => p.Parent == current))
            {
                found.Add(pid);
                frontier.Enqueue(pid);
            }
        }

        return found;
    }

    public static int ParentOf(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");

        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : 0;
    }

    public static string CommandLine(int pid) => Read($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();

    /// <summary>The targets of a process's open file descriptors (<c>pipe:[1234]</c>, paths, sockets), by descriptor number.</summary>
    public static IReadOnlyDictionary<int, string> FileDescriptors(int pid)
    {
        var result = new Dictionary<int, string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    if (int.TryParse(Path.GetFileName(fd), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && new FileInfo(fd).LinkTarget is { } target)
                    {
                        result[number] = target;
                    }
                }
                catch (IOException)
                {
                    // Closed meanwhile.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone.
        }

        return result;
    }

    /// <summary>Whether <paramref name="signal"/> is ignored (<c>SigIgn</c>) or caught (<c>SigCgt</c>) by the process, per <paramref name="mask"/>.</summary>
    public static bool HasSignal(int pid, string mask, int signal)
    {
        var line = Read($"/proc/{pid}/status").Split('\n').FirstOrDefault(l => l.StartsWith(mask + ":", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line[(mask.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bits)
            && (bits & (1UL << (signal - 1))) != 0;
    }

    /// <summary>One line per process: pid, parent, command line.</summary>
    public static string Describe(IEnumerable<int> pids)
    {
        var text = new StringBuilder();
        foreach (var pid in pids.Distinct())
        {
            text.Append(CultureInfo.InvariantCulture, $"  pid {pid} (parent {ParentOf(pid)}): {CommandLine(pid)}").AppendLine();
        }

        return text.Length == 0 ? "  none" + Environment.NewLine : text.ToString();
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
