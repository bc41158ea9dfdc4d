using StackModel.Hosting.Runtimes.Process;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A checkout's state folder under a parent only its owner may enter (mode 0700, like <c>/root</c> or a <c>mktemp -d</c>
/// folder): <c>&lt;private&gt;/repo/AppHost/.stackmodel</c>. On dispose, removes the folder and the cluster folder the stack
/// kept outside it for PostgreSQL's account (<see cref="ClusterLocation"/>), even when the test deleted the state folder.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class PrivateCheckout : IDisposable
{
    public PrivateCheckout()
    {
        Parent = Directory.CreateTempSubdirectory("stackmodel-private-").FullName;
        File.SetUnixFileMode(Parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StateDirectory = Path.Combine(Parent, "repo", "AppHost", ".stackmodel");
        Directory.CreateDirectory(StateDirectory);
        OutsideRoot = ClusterLocation.OutsideFolderFor(ClusterLocation.DefaultReachableDirectory, StateDirectory);
    }

    /// <summary>Gets the private parent (mode 0700).</summary>
    public string Parent { get; }

    public string StateDirectory { get; }

    /// <summary>Gets where the stack keeps this state folder's cluster (data/ and run/), outside the private parent.</summary>
    public string OutsideRoot { get; }

    public string OutsideData => Path.Combine(OutsideRoot, "data");

    public void Dispose()
    {
        if (Directory.Exists(OutsideRoot))
        {
            Directory.Delete(OutsideRoot, recursive: true);
        }

        if (Directory.Exists(Parent))
        {
            Directory.Delete(Parent, recursive: true);
        }
    }
}
