using System.Globalization;
using System.Runtime.InteropServices;

namespace StackModel.Hosting.Runtimes.Process;

/// <summary>Finds the machine's PostgreSQL server binaries (<c>initdb</c>, <c>postgres</c>).</summary>
internal sealed class PostgresBinaries
{
    private PostgresBinaries(string directory)
    {
        Directory = directory;
    }

    /// <summary>Gets the folder holding <c>initdb</c> and <c>postgres</c>.</summary>
    public string Directory { get; }

    public string InitDb => Path.Combine(Directory, "initdb");

    public string Postgres => Path.Combine(Directory, "postgres");

    /// <summary>
    /// Looks in <paramref name="configured"/> (<c>Stack:PostgresBinDirectory</c>), then PATH, then <c>pg_config --bindir</c>,
    /// then <c>/usr/lib/postgresql/&lt;newest&gt;/bin</c>, then Homebrew's <c>opt/postgresql@N/bin</c>.
    /// </summary>
    /// <exception cref="DistributedApplicationException">No binaries were found; the message gives the install command.</exception>
    public static PostgresBinaries Locate(string? configured, string? pathVariable = null)
    {
        foreach (var candidate in Candidates(configured, pathVariable ?? Environment.GetEnvironmentVariable("PATH") ?? string.Empty))
        {
            if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "postgres")))
            {
                return new PostgresBinaries(ResolveLinks(candidate));
            }
        }

        if (!string.IsNullOrEmpty(configured))
        {
            throw new DistributedApplicationException(
                $"Stack:PostgresBinDirectory is '{configured}', but that folder holds no 'initdb' and 'postgres'. Point it at the bin folder of a PostgreSQL installation, or remove the setting to search the usual places.");
        }

        throw new DistributedApplicationException(
            "No PostgreSQL server binaries (initdb, postgres) were found on PATH, through pg_config, in /usr/lib/postgresql/<version>/bin or in Homebrew's opt/postgresql@<version>/bin. " +
            $"Install them: {InstallHint()}; or run PostgreSQL in a container (Stack:Runtime=container); or set Stack:PostgresBinDirectory.");
    }

    private static IEnumerable<string> Candidates(string? configured, string pathVariable)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            yield return configured;
            yield break;
        }

        foreach (var dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }

        var pgConfig = pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "pg_config"))
            .FirstOrDefault(File.Exists);
        if (pgConfig is not null && TryRun(pgConfig, "--bindir") is { } bindir)
        {
            yield return bindir;
        }

        foreach (var root in new[] { "/usr/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt" })
        {
            if (!System.IO.Directory.Exists(root))
            {
                continue;
            }

            var versions = System.IO.Directory.EnumerateDirectories(root)
                .Select(d => (Dir: d, Version: ParseVersion(Path.GetFileName(d))))
                .Where(v => v.Version > 0)
                .OrderByDescending(v => v.Version);
            foreach (var (dir, _) in versions)
            {
                yield return Path.Combine(dir, "bin");
            }
        }
    }

    private static int ParseVersion(string folderName)
    {
        var text = folderName.StartsWith("postgresql@", StringComparison.Ordinal) ? folderName["postgresql@".Length..] : folderName;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static string ResolveLinks(string directory)
    {
        var initdb = new FileInfo(Path.Combine(directory, "initdb"));
        return initdb.ResolveLinkTarget(returnFinalTarget: true) is { } target
            ? Path.GetDirectoryName(target.FullName)!
            : Path.GetFullPath(directory);
    }

    private static string? TryRun(string program, string argument)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5000);
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string InstallHint()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            return "brew install postgresql@15";
        }

        if (File.Exists("/etc/debian_version"))
        {
            return "sudo apt-get install -y postgresql";
        }

        if (File.Exists("/etc/fedora-release") || File.Exists("/etc/redhat-release"))
        {
            return "sudo dnf install -y postgresql-server";
        }

        return File.Exists("/etc/alpine-release") ? "apk add postgresql" : "install your distribution's PostgreSQL server package";
    }
}
