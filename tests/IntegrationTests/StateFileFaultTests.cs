using System.Diagnostics;
using StackModel.Hosting.Runtimes;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// A damaged state folder under the real AppHost process: a corrupt or truncated <c>stack.json</c> / <c>secrets.json</c>, a
/// <c>secrets.json</c> other users can read, a lost one. Each is refused with the file and the fix, exit code 1, and nothing is
/// overwritten, regenerated or started (a regenerated password would lock the user out of their own data).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // signals, /proc and file modes
public class StateFileFaultTests(StateFileFaultTests.CreatedStack created) : IClassFixture<StateFileFaultTests.CreatedStack>
{
    public static TheoryData<string, string, string> Faults => new()
    {
        { "stack.json cut mid-value", "stack.json", "is corrupt" },
        { "stack.json emptied", "stack.json", "is corrupt" },
        { "secrets.json cut in half", "secrets.json", "is corrupt" },
        { "secrets.json emptied", "secrets.json", "is corrupt" },
        { "secrets.json readable by others", "secrets.json", "chmod 600" },
        { "secrets.json deleted", "secrets.json", "is gone" },
    };

    [RequiresPostgresTheory]
    [MemberData(nameof(Faults))]
    public async Task A_damaged_state_file_is_refused_naming_the_file_and_the_fix_and_nothing_is_changed_or_started(string fault, string file, string message)
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        created.CopyTo(state.Path);
        Damage(state.Path, fault);
        var before = Snapshot(state.Path);

        await using var host = AppHostProcess.Start(state.Path, FreePorts.Next());
        var exitCode = await host.WaitForExitAsync(ct);

        Assert.True(exitCode == 1, $"Exit code {exitCode}:{Environment.NewLine}{host.Output}");
        Assert.Contains(Path.Combine(state.Path, file), host.Output, StringComparison.Ordinal);
        Assert.Contains(message, host.Output, StringComparison.Ordinal);
        Assert.Contains(file == "stack.json" || fault.Contains("others", StringComparison.Ordinal) ? "left untouched" : "lock you out of your own data", host.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(state.Path)); // bytes and modes of both files, and whether they exist
        Assert.DoesNotMatch(@"postgres\s+Starting", host.Output);
        Assert.Empty(PostgresProcesses.On(state.Path));
        Assert.False(File.Exists(Path.Combine(state.Path, "postgres", "data", "postmaster.pid")), "No server was started on the cluster.");
    }

    [RequiresPostgresFact]
    public async Task A_secrets_file_readable_by_others_on_a_new_state_folder_creates_no_cluster()
    {
        var ct = TestStack.Timeout();
        using var state = new TempDirectory();
        var secrets = Path.Combine(state.Path, "secrets.json");
        await File.WriteAllTextAsync(secrets, "{ \"postgres-password\": \"kept-as-it-is-0123456789\" }", ct);
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var host = AppHostProcess.Start(state.Path, FreePorts.Next());
        var exitCode = await host.WaitForExitAsync(ct);

        Assert.True(exitCode == 1, $"Exit code {exitCode}:{Environment.NewLine}{host.Output}");
        Assert.Contains($"chmod 600 '{secrets}'", host.Output, StringComparison.Ordinal);
        Assert.Equal("{ \"postgres-password\": \"kept-as-it-is-0123456789\" }", await File.ReadAllTextAsync(secrets, ct));
        Assert.False(Directory.Exists(Path.Combine(state.Path, "postgres")), "No cluster was created.");
        Assert.False(File.Exists(Path.Combine(state.Path, "stack.json")));
    }

    private static void Damage(string stateDirectory, string fault)
    {
        var record = Path.Combine(stateDirectory, "stack.json");
        var secrets = Path.Combine(stateDirectory, "secrets.json");
        switch (fault)
        {
            case "stack.json cut mid-value":
                File.WriteAllText(record, File.ReadAllText(record)[..40]);
                break;
            case "stack.json emptied":
                File.WriteAllBytes(record, []);
                break;
            case "secrets.json cut in half":
                var bytes = File.ReadAllBytes(secrets);
                using (var stream = new FileStream(secrets, FileMode.Truncate))
                {
                    stream.Write(bytes, 0, bytes.Length / 2);
                }

                break;
            case "secrets.json emptied":
                using (new FileStream(secrets, FileMode.Truncate))
                {
                }

                break;
            case "secrets.json readable by others":
                File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                break;
            case "secrets.json deleted":
                File.Delete(secrets);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private static string Snapshot(string stateDirectory) => string.Join(
        Environment.NewLine,
        new[] { "stack.json", "secrets.json" }.Select(name => Path.Combine(stateDirectory, name)).Select(path => File.Exists(path)
            ? $"{Path.GetFileName(path)} {File.GetUnixFileMode(path)} {Convert.ToHexString(File.ReadAllBytes(path))}"
            : $"{Path.GetFileName(path)} absent"));

    /// <summary>A state folder whose stack ran once (cluster, record, secrets) and stopped; each test damages a copy of it.</summary>
    public sealed class CreatedStack : IAsyncLifetime
    {
        private readonly TempDirectory _state = new();

        public async Task InitializeAsync()
        {
            if (PostgresAvailability.MissingReason is not null && !TestEnvironment.IsCI)
            {
                return;
            }

            var ct = TestStack.Timeout();
            await using var host = AppHostProcess.Start(_state.Path, FreePorts.Next());
            await host.WaitForOutputAsync("Press Ctrl+C", ct);
            host.Signal(NativeMethods.SigTerm);
            Assert.Equal(0, await host.WaitForExitAsync(ct));
        }

        /// <summary>Copies the state folder with owners and modes (the cluster belongs to the PostgreSQL account), the lock and socket aside.</summary>
        public void CopyTo(string target)
        {
            using var copy = Process.Start("cp", ["-a", _state.Path + "/.", target])!;
            copy.WaitForExit();
            Assert.Equal(0, copy.ExitCode);
        }

        public Task DisposeAsync()
        {
            _state.Dispose();
            return Task.CompletedTask;
        }
    }
}
