using System.Security.Cryptography;
using System.Text;

namespace StackModel.Hosting.Control;

/// <summary>
/// Where a running AppHost answers its command-line verbs (<c>restart</c>): a Unix domain socket, <c>control.sock</c> in the
/// state folder, mode 0600, served whether or not the dashboard runs. A state folder too deep for a socket path (108 bytes)
/// gets <c>stackmodel-&lt;hash of the folder&gt;.sock</c> in the temporary folder instead; both sides compute the same path.
/// </summary>
internal static class ControlEndpoint
{
    /// <summary>The socket's file name in the state folder.</summary>
    public const string FileName = "control.sock";

    /// <summary>Longest socket path the kernel accepts, less the terminating zero (sun_path is 108 bytes on Linux, 104 on macOS).</summary>
    private const int MaxPathBytes = 103;

    public static string PathFor(string stateDirectory)
    {
        var full = Path.GetFullPath(stateDirectory);
        var preferred = Path.Combine(full, FileName);
        if (Encoding.UTF8.GetByteCount(preferred) <= MaxPathBytes)
        {
            return preferred;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        return Path.Combine(Path.GetTempPath(), $"stackmodel-{hash}.sock");
    }
}
