using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// Where a process-run cluster keeps its files (<c>data/</c>, the socket folder <c>run/</c>): <c>postgres/</c> in the state
/// folder, or, when the AppHost runs as root and PostgreSQL's account cannot enter the state folder (a parent only root may
/// enter: <c>/root</c>, a <c>mktemp -d</c> folder), a folder of its own under <see cref="StackOptions.ReachableDataDirectory"/>
/// named by a stable id of the state folder. The state folder records that folder (<see cref="PointerFileName"/>) and the folder
/// names its state folder back (<see cref="MarkerFileName"/>), with one random cluster id in both: a cluster whose state folder
/// was deleted or replaced is refused, never adopted or deleted silently.
/// </summary>
internal sealed record ClusterLocation(string Root, bool External, string? Reason)
{
    /// <summary>The file in the state folder that records where an outside cluster lives.</summary>
    public const string PointerFileName = "postgres-location.json";

    /// <summary>The file in an outside cluster's folder that names the state folder it belongs to.</summary>
    public const string MarkerFileName = "stackmodel-cluster.json";

    /// <summary>The default of <see cref="StackOptions.ReachableDataDirectory"/>.</summary>
    public const string DefaultReachableDirectory = "/var/lib/stackmodel/clusters";

    public string Data => Path.Combine(Root, "data");

    public string Sockets => Path.Combine(Root, "run");

    /// <summary>The state folder's own place for the cluster: <c>&lt;state&gt;/postgres</c>.</summary>
    public static ClusterLocation InStateFolder(string stateDirectory) => new(Path.Combine(stateDirectory, "postgres"), External: false, Reason: null);

    /// <summary>
    /// Where a cluster that is not recorded anywhere yet goes. Only an AppHost running as root runs PostgreSQL as another
    /// account, and only that account can be shut out of the state folder; everyone else keeps the data in the state folder.
    /// </summary>
    /// <param name="runsAsAnotherAccount">Whether PostgreSQL runs as another account than the AppHost (the AppHost is root).</param>
    /// <param name="stateFolderHoldsCluster">Whether <c>&lt;state&gt;/postgres/data</c> already holds a cluster (kept where it is).</param>
    /// <param name="accountCanEnterStateFolder">Whether that account can enter the state folder (through all its parents).</param>
    public static bool BelongsOutside(bool runsAsAnotherAccount, bool stateFolderHoldsCluster, bool accountCanEnterStateFolder) =>
        runsAsAnotherAccount && !stateFolderHoldsCluster && !accountCanEnterStateFolder;

    /// <summary>The folder an outside cluster of <paramref name="stateDirectory"/> gets: a stable id of the state folder's full path.</summary>
    public static string OutsideFolderFor(string reachableDirectory, string stateDirectory)
    {
        var path = Path.GetFullPath(stateDirectory).TrimEnd('/');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16];
        return Path.Combine(Path.GetFullPath(reachableDirectory), hash);
    }

    /// <summary>Reads the outside cluster the state folder records, or returns <see langword="null"/> when it records none.</summary>
    public static string? RecordedRoot(string stateDirectory) => ReadPointer(Path.Combine(stateDirectory, PointerFileName))?.Root;

    /// <summary>
    /// Finds (or, for a new cluster, decides and prepares) where the cluster of <paramref name="stateDirectory"/> lives.
    /// Refuses, changing nothing, when the records of the state folder and of an outside folder disagree.
    /// </summary>
    public static async Task<ClusterLocation> ResolveAsync(string stateDirectory, OsUser user, string? reachableDirectory, CancellationToken cancellationToken = default)
    {
        stateDirectory = Path.GetFullPath(stateDirectory).TrimEnd('/');
        var pointerPath = Path.Combine(stateDirectory, PointerFileName);
        if (ReadPointer(pointerPath) is { } pointer)
        {
            return Recorded(stateDirectory, pointerPath, pointer);
        }

        var inState = InStateFolder(stateDirectory);
        var reachable = reachableDirectory is { Length: > 0 } configured ? configured : DefaultReachableDirectory;
        var holdsCluster = File.Exists(Path.Combine(inState.Data, "PG_VERSION"));
        var canEnter = !user.SwitchUser || holdsCluster || await user.CanEnterAsync(stateDirectory, cancellationToken).ConfigureAwait(false);
        if (!BelongsOutside(user.SwitchUser, holdsCluster, canEnter))
        {
            return inState;
        }

        var root = OutsideFolderFor(reachable, stateDirectory);
        var reason = $"the account '{user.Name}' that runs PostgreSQL cannot enter the state folder '{stateDirectory}' (one of its parents is private to its owner)";
        if (File.Exists(Path.Combine(root, "data", "PG_VERSION")))
        {
            var foreign = ReadMarker(Path.Combine(root, MarkerFileName));
            throw new DistributedApplicationException(
                $"'{root}' holds the PostgreSQL data of a stack whose state folder was '{foreign?.StateDirectory ?? "unknown"}' (cluster {foreign?.ClusterId ?? "unknown"}, created {foreign?.CreatedAt ?? "at an unknown time"}), " +
                $"but the state folder '{stateDirectory}' has no record of it ({PointerFileName} is missing: the state folder was deleted or replaced). " +
                $"That data was left untouched and is not reused for a state folder that does not know it. To start over, delete it: rm -rf '{root}'. " +
                "To keep it, restore the earlier state folder (with its secrets.json, stack.json and " + PointerFileName + ") instead.");
        }

        var clusterId = RandomNumberGenerator.GetHexString(32, lowercase: true);
        CreateRoot(root, user);
        if (!await user.CanEnterAsync(root, cancellationToken).ConfigureAwait(false))
        {
            Directory.Delete(root); // empty, just created
            throw new DistributedApplicationException(
                $"PostgreSQL's account '{user.Name}' cannot enter the state folder '{stateDirectory}' (one of its parents is private to its owner), nor '{root}' under Stack:ReachableDataDirectory. " +
                $"Nothing was created. Point Stack:ReachableDataDirectory at a folder whose parents every account may pass through (default {DefaultReachableDirectory}), or clone the checkout outside the private folder.");
        }

        WriteJson(Path.Combine(root, MarkerFileName), new JsonObject
        {
            ["stateDirectory"] = stateDirectory,
            ["clusterId"] = clusterId,
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });
        WriteJson(pointerPath, new JsonObject { ["root"] = root, ["clusterId"] = clusterId, ["reason"] = reason });
        return new ClusterLocation(root, External: true, reason);
    }

    /// <summary>
    /// Deletes the outside cluster folder the state folder records, when that folder names this state folder back (a test
    /// stack's cleanup; the developer's stack is never deleted this way). Returns the folder deleted, or <see langword="null"/>.
    /// </summary>
    public static string? DeleteRecordedOutsideFolder(string stateDirectory)
    {
        stateDirectory = Path.GetFullPath(stateDirectory).TrimEnd('/');
        var pointer = ReadPointer(Path.Combine(stateDirectory, PointerFileName));
        if (pointer is null || ReadMarker(Path.Combine(pointer.Root, MarkerFileName)) is not { } marker
            || marker.ClusterId != pointer.ClusterId || marker.StateDirectory != stateDirectory)
        {
            return null;
        }

        Directory.Delete(pointer.Root, recursive: true);
        return pointer.Root;
    }

    private static ClusterLocation Recorded(string stateDirectory, string pointerPath, Pointer pointer)
    {
        var markerPath = Path.Combine(pointer.Root, MarkerFileName);
        var marker = ReadMarker(markerPath) ?? throw new DistributedApplicationException(
            $"The state folder records that its PostgreSQL data lives in '{pointer.Root}' ({pointerPath}), but that folder {(Directory.Exists(pointer.Root) ? $"has no {MarkerFileName}" : "is gone")}. " +
            $"Nothing was created in its place. If it was deleted to start over, delete '{pointerPath}' too (a new cluster is then created; the passwords in secrets.json are kept); otherwise restore '{pointer.Root}'.");
        if (marker.ClusterId != pointer.ClusterId)
        {
            throw new DistributedApplicationException(
                $"'{pointer.Root}' holds cluster {marker.ClusterId} of the state folder '{marker.StateDirectory}', but the state folder '{stateDirectory}' records cluster {pointer.ClusterId} there ({pointerPath}). " +
                $"Neither was changed. Restore the matching folders, or, to start over, stop the AppHost, delete '{pointerPath}' and (if its data is no longer wanted) '{pointer.Root}'.");
        }

        if (marker.StateDirectory != stateDirectory)
        {
            var other = ReadPointer(Path.Combine(marker.StateDirectory, PointerFileName));
            if (other is not null && other.ClusterId == pointer.ClusterId)
            {
                throw new DistributedApplicationException(
                    $"The state folder '{stateDirectory}' is a copy of '{marker.StateDirectory}': both record the PostgreSQL data in '{pointer.Root}', and two stacks never share a cluster. " +
                    $"Nothing was changed. Use the original, or, to give the copy a cluster of its own, delete '{pointerPath}' in the copy (a new cluster is created).");
            }

            // The checkout was moved: the cluster follows its state folder.
            WriteJson(markerPath, new JsonObject
            {
                ["stateDirectory"] = stateDirectory,
                ["clusterId"] = marker.ClusterId,
                ["createdAt"] = marker.CreatedAt,
                ["movedFrom"] = marker.StateDirectory,
            });
        }

        return new ClusterLocation(pointer.Root, External: true, pointer.Reason);
    }

    private static void CreateRoot(string root, OsUser user)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Only an AppHost running as root on Linux or macOS keeps a cluster outside its state folder.");
        }

        // The folders above it are root's, 0755 (the account passes through); the cluster's own folder is the account's, 0700.
        var parent = Path.GetDirectoryName(root)!;
        var created = new Stack<string>();
        for (var folder = parent; !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
        {
            created.Push(folder);
        }

        Directory.CreateDirectory(parent);
        foreach (var folder in created)
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        user.TakeOwnership(root);
    }

    private static Pointer? ReadPointer(string path)
    {
        var json = ReadJson(path);
        return json is null ? null : new Pointer(
            Required(json, "root", path),
            Required(json, "clusterId", path),
            json["reason"]?.GetValue<string>());
    }

    private static Marker? ReadMarker(string path)
    {
        var json = ReadJson(path);
        return json is null ? null : new Marker(
            Required(json, "stateDirectory", path),
            Required(json, "clusterId", path),
            json["createdAt"]?.GetValue<string>() ?? "at an unknown time");
    }

    private static JsonObject? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("the top level is not an object");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new DistributedApplicationException(
                $"The file '{path}' that ties the stack's state folder to its PostgreSQL data outside it is corrupt ({ex.Message}). It was left untouched. " +
                "Restore it from a backup; it holds the folder of the data (\"root\") and the cluster id that both files share.", ex);
        }
    }

    private static string Required(JsonObject json, string name, string path) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new DistributedApplicationException(
                $"The file '{path}' that ties the stack's state folder to its PostgreSQL data outside it has no \"{name}\". It was left untouched. Restore it from a backup.");

    private static void WriteJson(string path, JsonObject json)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        File.Move(temp, path, overwrite: true);
    }

    private sealed record Pointer(string Root, string ClusterId, string? Reason);

    private sealed record Marker(string StateDirectory, string ClusterId, string CreatedAt);
}
