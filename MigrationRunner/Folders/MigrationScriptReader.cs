using System.Buffers;
using System.Security.Cryptography;
using System.Text.Unicode;

namespace StackModel.MigrationRunner.Folders;

/// <summary>Reads one SQL file the way drizzle-orm does: hash of the bytes, text split on the breakpoint literal.</summary>
internal static class MigrationScriptReader
{
    /// <summary>Reads <paramref name="filePath"/>; throws <see cref="MigrationException"/> when it is missing or not valid UTF-8.</summary>
    /// <param name="name">The migration's name (journal tag or folder name).</param>
    /// <param name="filePath">The SQL file.</param>
    /// <param name="createdAt">The <c>created_at</c> value of the migration.</param>
    /// <param name="missingFileHint">What names the file (the journal entry or folder), shown when it does not exist.</param>
    public static MigrationScript Read(string name, string filePath, long createdAt, string missingFileHint)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(filePath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MigrationException(
                MigrationExitCode.InvalidInput,
                $"Migration file \"{filePath}\" does not exist, but {missingFileHint} names it. " +
                "Nothing was applied. Fix: restore the file (git checkout / drizzle-kit generate), or remove the entry if the migration was never applied anywhere.",
                ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MigrationException(
                MigrationExitCode.InvalidInput,
                $"Migration file \"{filePath}\" cannot be read: {ex.Message} Nothing was applied. Fix: make the file readable by the runner's user.",
                ex);
        }

        var text = DecodeUtf8(bytes, filePath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new MigrationScript(name, filePath, createdAt, hash, text.Split(MigrationScript.StatementBreakpoint));
    }

    private static string DecodeUtf8(byte[] bytes, string filePath)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out var bytesRead, out var charsWritten, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var line = bytes.AsSpan(0, bytesRead).Count((byte)'\n') + 1;
                throw new MigrationException(
                    MigrationExitCode.InvalidInput,
                    $"Migration file \"{filePath}\" is not valid UTF-8: invalid byte 0x{bytes[bytesRead]:X2} at byte offset {bytesRead} (line {line}). " +
                    "drizzle-orm would replace it with U+FFFD and store a hash that no longer matches the file's bytes. " +
                    "Nothing was applied. Fix: save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).");
            }

            return new string(chars, 0, charsWritten);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
