using System.Globalization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// The exact command a process-run PostgreSQL server was started with (program, arguments, working folder, the account it runs
/// as, and a fingerprint of its binary), recorded in the state folder (<see cref="FileName"/>) after a start that reached ready,
/// so that the next warm start can launch the same server before the model is built (<see cref="EarlyPostgresLaunch"/>).
/// A plain NUL-separated file with a version field: read before any JSON serializer is loaded.
/// </summary>
internal sealed record PostgresLaunch(string Program, IReadOnlyList<string> Args, string WorkingDirectory, string DataDirectory, int Port, string User, string BinaryFingerprint)
{
    /// <summary>The file in the state folder that holds the last start's launch.</summary>
    public const string FileName = "postgres-launch";

    private const string Version = "stackmodel-postgres-launch/1";

    /// <summary>The binary's identity: its full path, size and modification time (an upgraded PostgreSQL gets another).</summary>
    public static string Fingerprint(string binary)
    {
        var file = new FileInfo(binary);
        return file.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}")
            : $"{binary}|missing";
    }

    /// <summary>Whether <paramref name="other"/> starts the same server the same way: program, arguments, folder, account, binary.</summary>
    public bool SameAs(PostgresLaunch other) =>
        other.Program == Program && other.Args.SequenceEqual(Args, StringComparer.Ordinal) && other.WorkingDirectory == WorkingDirectory
        && other.DataDirectory == DataDirectory && other.Port == Port && other.User == User && other.BinaryFingerprint == BinaryFingerprint;

    /// <summary>Says how <paramref name="other"/> (the launch computed now) differs from this one (the recorded one).</summary>
    public string Difference(PostgresLaunch other) =>
        other.Port != Port ? $"the port changed from {Port} to {other.Port}"
        : other.DataDirectory != DataDirectory ? $"the data folder changed from {DataDirectory} to {other.DataDirectory}"
        : other.User != User ? $"the account changed from '{User}' to '{other.User}'"
        : other.BinaryFingerprint != BinaryFingerprint ? "the postgres binary changed (path, size or modification time)"
        : other.Program != Program || other.WorkingDirectory != WorkingDirectory ? "the program or its working folder changed"
        : other.Args.SequenceEqual(Args, StringComparer.Ordinal) ? "nothing" : "the server's arguments changed";

    /// <summary>Reads the launch recorded at <paramref name="path"/>; <see langword="null"/> when there is none or it is not one this version wrote.</summary>
    public static PostgresLaunch? TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // version, program, working folder, data folder, port, user, fingerprint, argument count, arguments…, "" (the final NUL).
        var fields = text.Split('\0');
        if (fields.Length < 9 || fields[0] != Version
            || !int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
            || !int.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || fields.Length != 9 + count || fields[^1].Length != 0
            || fields[1].Length == 0 || !Path.IsPathFullyQualified(fields[2]) || !Path.IsPathFullyQualified(fields[3]))
        {
            return null;
        }

        return new PostgresLaunch(fields[1], fields[8..^1], fields[2], fields[3], port, fields[5], fields[6]);
    }

    /// <summary>Writes this launch to <paramref name="path"/> (mode 0600) through a temporary file renamed over it, unless it already holds it.</summary>
    public void Write(string path)
    {
        if (TryRead(path) is { } recorded && recorded.SameAs(this))
        {
            return;
        }

        var text = string.Join('\0', [Version, Program, WorkingDirectory, DataDirectory, Port.ToString(CultureInfo.InvariantCulture), User, BinaryFingerprint, Args.Count.ToString(CultureInfo.InvariantCulture), .. Args]) + "\0";
        var temporary = path + ".tmp";
        File.Delete(temporary); // a leftover keeps its mode; a new file gets 0600
        var stream = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            stream.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), stream))
        {
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the record at <paramref name="path"/>, if any: the next start launches nothing early.</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing to launch from is what a missing record means; an undeletable one is checked against the launch computed then.
        }
    }
}
