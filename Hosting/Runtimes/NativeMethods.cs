using System.Runtime.InteropServices;

namespace StackModel.Hosting.Runtimes;

/// <summary>The few POSIX calls .NET does not expose: effective user, ownership, signals.</summary>
internal static partial class NativeMethods
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    // Only the query form is used (act = null): the old action is written to a buffer larger than any libc's struct sigaction.
    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static unsafe partial int SigAction(int signal, void* action, void* oldAction);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0;

    /// <summary>
    /// Whether <paramref name="signal"/> is ignored (SIG_IGN) in this process: set before it started by a non-interactive
    /// shell's background job (SIGINT, SIGQUIT) or by <c>nohup</c> (SIGHUP), and inherited across <c>exec</c>.
    /// </summary>
    public static unsafe bool IsIgnored(int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        // struct sigaction starts with the handler on Linux (glibc, musl) and macOS; SIG_IGN is 1 on all of them.
        var old = stackalloc byte[512];
        return SigAction(signal, null, old) == 0 && *(nint*)old == 1;
    }

    /// <summary>
    /// Reads up to <paramref name="maxBytes"/> of a file without the advisory lock .NET takes on every open (a shared lock,
    /// refused while another process holds the exclusive one): for the pid in a lock file held by another AppHost.
    /// </summary>
    public static string? ReadWithoutLocking(string path, int maxBytes)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return null;
        }

        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        var buffer = new byte[maxBytes];
        var read = RandomAccess.Read(handle, buffer, 0);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>
    /// Writes everything cached for the file system that holds <paramref name="path"/> to disk: <c>syncfs(2)</c> on Linux (that file
    /// system only), <c>sync(2)</c> elsewhere on Unix; nothing on Windows.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened, or the file system reports a write error.</exception>
    public static void SyncFileSystem(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Sync();
            return;
        }

        var fd = Open(path, 0 /* O_RDONLY: a folder opens read-only */);
        if (fd < 0)
        {
            throw new IOException($"cannot open '{path}' to sync its file system: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        if (SyncFs(fd) != 0)
        {
            throw new IOException($"syncfs on '{path}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>Whether a process with this id exists (signal 0 probes without sending anything).</summary>
    public static bool ProcessExists(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists, not ours */);
}
