using System.Text.Json.Nodes;
using StackModel.Hosting.Runtimes.Process;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// Where a process cluster lives: in the state folder unless the AppHost runs as root and PostgreSQL's account cannot enter it;
/// and a cluster kept outside is used only while the state folder and the cluster's folder name each other.
/// </summary>
public sealed class ClusterLocationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("stackmodel-location-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(false, false, false, false)] // a laptop: the user runs PostgreSQL, whatever the parents' modes
    [InlineData(false, false, true, false)]
    [InlineData(true, false, true, false)] // root, and the account can enter the state folder (tests under /tmp)
    [InlineData(true, true, false, false)] // root, an existing cluster in the state folder is never moved
    [InlineData(true, false, false, true)] // root, a new cluster the account could not reach
    public void Only_root_puts_a_new_cluster_outside_and_only_when_its_account_cannot_enter_the_state_folder(bool runsAsAnotherAccount, bool stateFolderHoldsCluster, bool accountCanEnter, bool outside)
    {
        Assert.Equal(outside, ClusterLocation.BelongsOutside(runsAsAnotherAccount, stateFolderHoldsCluster, accountCanEnter));
    }

    [Fact]
    public async Task Not_as_root_the_data_stays_in_the_state_folder_under_a_private_parent_and_nothing_is_written_elsewhere()
    {
        var parent = Directory.CreateDirectory(Path.Combine(_folder, "private"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(parent.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var state = Directory.CreateDirectory(Path.Combine(parent.FullName, "repo", "AppHost", ".stackmodel")).FullName;
        var reachable = Path.Combine(_folder, "reachable");

        var location = await ClusterLocation.ResolveAsync(state, OsUser.Current(), reachable, CancellationToken.None);

        Assert.Equal((Path.Combine(state, "postgres"), false), (location.Root, location.External));
        Assert.Equal(Path.Combine(state, "postgres", "data"), location.Data);
        Assert.False(File.Exists(Path.Combine(state, ClusterLocation.PointerFileName)));
        Assert.False(Directory.Exists(reachable));
    }

    [Fact]
    public void The_outside_folder_is_a_stable_id_of_the_state_folders_path()
    {
        var first = ClusterLocation.OutsideFolderFor("/var/lib/stackmodel/clusters", "/root/repo/AppHost/.stackmodel");

        Assert.Equal(first, ClusterLocation.OutsideFolderFor("/var/lib/stackmodel/clusters", "/root/repo/AppHost/.stackmodel/"));
        Assert.NotEqual(first, ClusterLocation.OutsideFolderFor("/var/lib/stackmodel/clusters", "/root/other/AppHost/.stackmodel"));
        Assert.Matches("^/var/lib/stackmodel/clusters/[0-9a-f]{16}$", first);
    }

    [Fact]
    public async Task A_recorded_outside_cluster_is_used_whoever_runs_the_AppHost()
    {
        var (state, root) = Recorded("c1", "c1");

        var location = await ClusterLocation.ResolveAsync(state, OsUser.Current(), null, CancellationToken.None);

        Assert.Equal((root, true), (location.Root, location.External));
        Assert.Contains("cannot enter", location.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recorded_outside_cluster_that_is_gone_is_refused_and_nothing_is_created()
    {
        var (state, root) = Recorded("c1", "c1");
        Directory.Delete(root, recursive: true);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => ClusterLocation.ResolveAsync(state, OsUser.Current(), null, CancellationToken.None));

        Assert.Contains($"'{root}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is gone", error.Message, StringComparison.Ordinal);
        Assert.Contains($"delete '{Path.Combine(state, ClusterLocation.PointerFileName)}' too", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task An_outside_folder_holding_another_cluster_id_is_refused_and_left_untouched()
    {
        var (state, root) = Recorded(pointerId: "c1", markerId: "c2");
        var marker = File.ReadAllText(Path.Combine(root, ClusterLocation.MarkerFileName));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => ClusterLocation.ResolveAsync(state, OsUser.Current(), null, CancellationToken.None));

        Assert.Contains("holds cluster c2", error.Message, StringComparison.Ordinal);
        Assert.Contains("records cluster c1", error.Message, StringComparison.Ordinal);
        Assert.Equal(marker, File.ReadAllText(Path.Combine(root, ClusterLocation.MarkerFileName)));
        Assert.True(File.Exists(Path.Combine(root, "data", "PG_VERSION")));
    }

    [Fact]
    public async Task A_copy_of_a_state_folder_never_shares_the_originals_outside_cluster()
    {
        var (state, _) = Recorded("c1", "c1");
        var copy = Directory.CreateDirectory(Path.Combine(_folder, "copy", ".stackmodel")).FullName;
        File.Copy(Path.Combine(state, ClusterLocation.PointerFileName), Path.Combine(copy, ClusterLocation.PointerFileName));

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => ClusterLocation.ResolveAsync(copy, OsUser.Current(), null, CancellationToken.None));

        Assert.Contains($"is a copy of '{state}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_moved_checkout_takes_its_outside_cluster_along()
    {
        var (state, root) = Recorded("c1", "c1");
        var moved = Path.Combine(_folder, "moved", ".stackmodel");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        Directory.Move(state, moved);

        var location = await ClusterLocation.ResolveAsync(moved, OsUser.Current(), null, CancellationToken.None);

        Assert.Equal(root, location.Root);
        var marker = JsonNode.Parse(File.ReadAllText(Path.Combine(root, ClusterLocation.MarkerFileName)))!;
        Assert.Equal((moved, state), (marker["stateDirectory"]!.GetValue<string>(), marker["movedFrom"]!.GetValue<string>()));
    }

    [Fact]
    public void A_test_stacks_cleanup_deletes_only_an_outside_folder_that_names_its_state_folder_back()
    {
        var (state, root) = Recorded("c1", "c1");
        var (otherState, otherRoot) = Recorded("c2", "c3");

        Assert.Equal(root, ClusterLocation.DeleteRecordedOutsideFolder(state));
        Assert.Null(ClusterLocation.DeleteRecordedOutsideFolder(otherState));
        Assert.False(Directory.Exists(root));
        Assert.True(Directory.Exists(otherRoot));
    }

    [Fact]
    public async Task A_corrupt_pointer_is_refused_with_its_path_and_left_as_it_is()
    {
        var state = Directory.CreateDirectory(Path.Combine(_folder, "corrupt", ".stackmodel")).FullName;
        var pointer = Path.Combine(state, ClusterLocation.PointerFileName);
        File.WriteAllText(pointer, "{ \"root\": ");

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => ClusterLocation.ResolveAsync(state, OsUser.Current(), null, CancellationToken.None));

        Assert.Contains($"'{pointer}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is corrupt", error.Message, StringComparison.Ordinal);
        Assert.Equal("{ \"root\": ", File.ReadAllText(pointer));
    }

    /// <summary>A state folder that records an outside cluster folder (with a fake cluster in it), as a root AppHost leaves them.</summary>
    private (string State, string Root) Recorded(string pointerId, string markerId)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var state = Directory.CreateDirectory(Path.Combine(_folder, name, ".stackmodel")).FullName;
        var root = Directory.CreateDirectory(Path.Combine(_folder, "clusters", name)).FullName;
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllText(Path.Combine(root, "data", "PG_VERSION"), "15\n");
        File.WriteAllText(Path.Combine(state, ClusterLocation.PointerFileName),
            new JsonObject { ["root"] = root, ["clusterId"] = pointerId, ["reason"] = "the account 'postgres' that runs PostgreSQL cannot enter the state folder" }.ToJsonString());
        File.WriteAllText(Path.Combine(root, ClusterLocation.MarkerFileName),
            new JsonObject { ["stateDirectory"] = state, ["clusterId"] = markerId, ["createdAt"] = "2026-12-01T00:00:00Z" }.ToJsonString());
        return (state, root);
    }
}
