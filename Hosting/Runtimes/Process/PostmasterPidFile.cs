using System.Globalization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// PostgreSQL's <c>postmaster.pid</c>: its first line is the server's pid and its eighth the server's status, which reads
/// <c>ready</c> once it accepts connections (what <c>pg_ctl start -w</c> watches). Reading it costs no connection attempt,
/// so a start can wait on it at a short interval and then connect once.
/// </summary>
internal static class PostmasterPidFile
{
    private const int StatusLine = 8;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(4);

    /// <summary>
    /// Completes when the server <paramref name="processId"/> writes <c>ready</c> into <paramref name="dataDirectory"/>'s
    /// <c>postmaster.pid</c>, or as soon as it exits or <paramref name="timeout"/> passes: the caller's connection attempt then
    /// says what went wrong. Only a hint: a real connection still decides whether the server is up.
    /// </summary>
    public static async Task WaitUntilReadyAsync(string dataDirectory, int processId, Task serverExited, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(dataDirectory, "postmaster.pid");
        var deadline = DateTime.UtcNow + timeout;
        while (!serverExited.IsCompleted && DateTime.UtcNow < deadline && !IsReady(path, processId))
        {
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the file names <paramref name="processId"/> and says it is ready; a missing or half-written file is not.</summary>
    public static bool IsReady(string path, int processId)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return lines.Length >= StatusLine
            && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && pid == processId
            && lines[StatusLine - 1].Trim() == "ready";
    }
}
