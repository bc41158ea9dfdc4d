namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>Finds PostgreSQL servers running on a data folder, to prove a test left none behind.</summary>
internal static class PostgresProcesses
{
    public static IReadOnlyList<int> On(string folder) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(System.IO.Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && CommandLine(pid).Contains(folder, StringComparison.Ordinal) && CommandLine(pid).Contains("postgres", StringComparison.Ordinal))
            .ToArray();

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
