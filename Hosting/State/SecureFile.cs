namespace StackModel.Hosting.State;

/// <summary>Writes files that hold secrets: created with mode 0600 before any byte is written, replaced atomically.</summary>
internal static class SecureFile
{
    public static void WriteAllText(string path, string contents)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, OwnerOnly(FileMode.Create, FileAccess.Write, FileShare.None)))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Options that create a file readable and writable by its owner only (0600) from its first byte.</summary>
    public static FileStreamOptions OwnerOnly(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
