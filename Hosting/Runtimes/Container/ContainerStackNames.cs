using System.Security.Cryptography;
using System.Text;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Names of what a stack makes on a container engine, per state folder: <c>&lt;stack&gt;-&lt;id&gt;</c> for the network, then
/// <c>&lt;stack&gt;-&lt;id&gt;-&lt;resource&gt;</c> for containers and <c>&lt;stack&gt;-&lt;id&gt;-&lt;resource&gt;-&lt;purpose&gt;</c>
/// for new volumes, where <c>&lt;id&gt;</c> is the first 10 hex digits of the SHA-256 of the state folder's full path.
/// </summary>
/// <remarks>
/// The shape of .NET Aspire's volume names (<c>{app}-{first 10 hex digits of the SHA-256 of the AppHost's path}-{resource}-{suffix}</c>),
/// hashed over the state folder rather than the AppHost project folder: the state folder holds what a volume's cluster needs (its
/// passwords and its stack record), so one state folder has one cluster. By default it is <c>.stackmodel/</c> in the AppHost
/// project folder, so each checkout gets its own volume, as with Aspire; two state folders of one AppHost
/// (<c>Stack:StateDirectory</c>, test stacks) get two. A cluster's volume is recorded in <c>stack.json</c> once made
/// (<see cref="ServiceDefaults.Guard.StackRecord.ContainerVolume"/>), so a moved checkout keeps its data; a record written before
/// volumes had the id keeps its <see cref="LegacyVolume"/>.
/// </remarks>
internal static class ContainerStackNames
{
    /// <summary>How many hex digits of the hash the names carry (as Aspire's volume names).</summary>
    public const int IdLength = 10;

    /// <summary>The id of a folder (a state folder; <c>publish compose</c>'s output) in names: the first <see cref="IdLength"/> hex digits of the SHA-256 of its full path.</summary>
    public static string IdOf(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var path = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..IdLength];
    }

    /// <summary>The prefix of everything the stack of <paramref name="stateDirectory"/> makes: <c>&lt;stack&gt;-&lt;id&gt;</c>, also its network's name.</summary>
    public static string Prefix(string stackName, string stateDirectory) => $"{Sanitize(stackName)}-{IdOf(stateDirectory)}";

    /// <summary>
    /// The stack's name as a name on an engine carries it: each character Docker and Podman refuse in a name made '-', leading
    /// '-', '_' and '.' dropped (<c>My Shop</c> → <c>My-Shop</c>), <c>stackmodel</c> when nothing is left. Aspire makes its
    /// application name fit its volume names the same way, rather than failing the start.
    /// </summary>
    public static string Sanitize(string stackName)
    {
        var name = string.Concat((stackName ?? string.Empty).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-')).TrimStart('-', '_', '.');
        return name.Length > 0 ? name : "stackmodel";
    }

    /// <summary>The volume a stack made before volume names carried the state folder's id: <c>&lt;stack&gt;-&lt;resource&gt;-&lt;purpose&gt;</c>.</summary>
    public static string LegacyVolume(string stackName, string resourceName, string purpose) => $"{stackName}-{resourceName}-{purpose}";

    /// <summary>Whether <paramref name="name"/> is a name Docker and Podman accept for a container, network or volume (<c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>).</summary>
    public static bool IsValid(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
