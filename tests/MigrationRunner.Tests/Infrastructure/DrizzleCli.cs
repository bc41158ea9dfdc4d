using CliWrap;
using CliWrap.Buffered;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>
/// Runs drizzle-orm 0.45.4's own <c>migrate()</c> (node-postgres driver) from tests/MigrationRunner.Tests/drizzle,
/// pinned by its package-lock.json; installs it with <c>npm ci</c> on first use.
/// </summary>
internal static class DrizzleCli
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static bool NodeAvailable { get; } = OnPath("node") && OnPath("npm");

    public static async Task<ProcessResult> MigrateAsync(TestDatabase database, string folder, CancellationToken cancellationToken)
    {
        await EnsureInstalledAsync(cancellationToken);
        var result = await Cli.Wrap("node")
            .WithArguments([Path.Combine(TestPaths.DrizzleDirectory, "migrate.mjs"), folder])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["DATABASE_URL"] = database.DatabaseUrl })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        return new ProcessResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    private static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var marker = Path.Combine(TestPaths.DrizzleDirectory, "node_modules", "drizzle-orm", "package.json");
        if (File.Exists(marker))
        {
            return;
        }

        await InstallGate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(marker))
            {
                return;
            }

            var result = await Cli.Wrap("npm")
                .WithArguments(["ci", "--no-audit", "--no-fund"])
                .WithWorkingDirectory(TestPaths.DrizzleDirectory)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"npm ci in \"{TestPaths.DrizzleDirectory}\" exited with {result.ExitCode}: {result.StandardError} " +
                    "Fix: check that the npm registry is reachable, then run npm ci there by hand.");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
