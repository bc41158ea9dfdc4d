using System.Globalization;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>
/// The unprivileged account PostgreSQL runs as. PostgreSQL refuses to run as root, so under root the stack runs its
/// binaries as this account (through <c>setpriv</c>) and gives it the data folder; otherwise it runs them as the current user.
/// </summary>
internal sealed class OsUser
{
    private OsUser(string name, uint uid, uint gid, bool switchUser)
    {
        Name = name;
        Uid = uid;
        Gid = gid;
        SwitchUser = switchUser;
    }

    public string Name { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    /// <summary>Whether commands must be run through <c>setpriv</c> (the AppHost runs as root).</summary>
    public bool SwitchUser { get; }

    public static OsUser Resolve(string configuredUser)
    {
        if (!NativeMethods.IsRoot)
        {
            return Current();
        }

        var entry = File.ReadLines("/etc/passwd")
            .Select(line => line.Split(':'))
            .FirstOrDefault(parts => parts.Length > 3 && parts[0] == configuredUser);
        if (entry is null)
        {
            throw new DistributedApplicationException(
                $"PostgreSQL refuses to run as root, and the account '{configuredUser}' it would run as does not exist. " +
                $"Create it (useradd --system {configuredUser}) or name another unprivileged account in Stack:PostgresUser.");
        }

        return new OsUser(configuredUser, uint.Parse(entry[2], CultureInfo.InvariantCulture), uint.Parse(entry[3], CultureInfo.InvariantCulture), switchUser: true);
    }

    /// <summary>The account the AppHost runs as, running PostgreSQL itself (the AppHost is not root).</summary>
    public static OsUser Current() => new(Environment.UserName, 0, 0, switchUser: false);

    /// <summary>Whether this account can enter <paramref name="directory"/>, through all its parents (asked of the system, as the account: modes, groups and ACLs all count).</summary>
    public async Task<bool> CanEnterAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!SwitchUser)
        {
            return true;
        }

        var (program, args) = Wrap("test", ["-x", directory]);
        await using var probe = ChildProcess.Start(program, args, "/", new Dictionary<string, string?>(), (_, _) => { });
        return await probe.Exited.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false) == 0;
    }

    /// <summary>Returns the program and arguments that run <paramref name="program"/> as this account.</summary>
    public (string Program, IReadOnlyList<string> Args) Wrap(string program, IEnumerable<string> args) =>
        SwitchUser
            ? ("setpriv", ["--reuid", Name, "--regid", Name, "--init-groups", "--reset-env", program, .. args])
            : (program, args.ToArray());

    /// <summary>Gives a folder (not its contents) to this account, mode 0700.</summary>
    public void TakeOwnership(string path)
    {
        if (SwitchUser && NativeMethods.Chown(path, Uid, Gid) != 0)
        {
            throw new DistributedApplicationException(
                $"Could not give '{path}' to the account '{Name}' that runs PostgreSQL (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}). " +
                "Check that the state folder is on a file system that supports ownership.");
        }
    }
}
