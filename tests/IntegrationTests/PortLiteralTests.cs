using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>Principle 1: every host port is declared once, in AppHost/Program.cs; everything else derives it from the model.</summary>
public class PortLiteralTests
{
    /// <summary>Where a host port may be written besides the declaration: prose for humans and generated files.</summary>
    // Besides docs: LiteLLM listens on its own fixed port in its own context (the target port, a fact about the LiteLLM image, which the
    // AppHost's default host port happens to equal), and the stand-in mimics LiteLLM's default PORT.
    private static readonly string[] AllowedPaths =
    [
        "README.md", "docs/", ".env.stack",
        "Hosting/LiteLLM/LiteLLMResource.cs", "Hosting/LiteLLM/LiteLLMBuilderExtensions.cs", "tests/LiteLLMStandIn/StandInOptions.cs",
    ];

    private const string Declaration = "AppHost/Program.cs";

    [Fact]
    public async Task No_tracked_file_but_the_AppHost_declaration_holds_a_host_port_of_the_model()
    {
        var ct = TestStack.Timeout();
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(cancellationToken: ct);
        var ports = builder.Resources.OfType<IResourceWithEndpoints>()
            .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Select(e => (Resource: r.Name, e.HostPort)))
            .ToList();
        Assert.NotEmpty(ports);
        var root = FindRepositoryRoot();
        var files = await TrackedFilesAsync(root, ct);

        var offenders = new List<string>();
        foreach (var (resource, port) in ports)
        {
            var literal = new Regex($"(?<![0-9A-Za-z]){port.ToString(CultureInfo.InvariantCulture)}(?![0-9A-Za-z])");
            Assert.Matches(literal, await File.ReadAllTextAsync(Path.Combine(root, Declaration), ct)); // the scan sees the declaration itself
            foreach (var file in files.Where(f => f != Declaration && !IsAllowed(f)))
            {
                var path = Path.Combine(root, file);
                if (!File.Exists(path) || IsBinary(path))
                {
                    continue;
                }

                var lines = await File.ReadAllLinesAsync(path, ct);
                offenders.AddRange(lines.Select((line, i) => (line, i)).Where(l => literal.IsMatch(l.line))
                    .Select(l => $"{file}:{l.i + 1}: host port {port} of '{resource}': {l.line.Trim()}"));
            }
        }

        Assert.True(offenders.Count == 0,
            $"Host ports are declared once, in {Declaration}; derive them from the model (WithReference, env, GetEndpoint) instead of writing them here:{Environment.NewLine}" +
            string.Join(Environment.NewLine, offenders));
    }

    private static bool IsAllowed(string file) =>
        AllowedPaths.Any(a => a.EndsWith('/') ? file.StartsWith(a, StringComparison.Ordinal) : file == a || file.EndsWith("/" + a, StringComparison.Ordinal));

    private static bool IsBinary(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[8000];
        var read = stream.Read(buffer);
        return Array.IndexOf(buffer, (byte)0, 0, read) >= 0;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StackModel.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No StackModel.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    private static async Task<IReadOnlyList<string>> TrackedFilesAsync(string root, CancellationToken ct)
    {
        var info = new ProcessStartInfo("git", ["-C", root, "ls-files", "-z"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = Process.Start(info) ?? throw new InvalidOperationException("git could not be started.");
        var output = await git.StandardOutput.ReadToEndAsync(ct);
        var error = await git.StandardError.ReadToEndAsync(ct);
        await git.WaitForExitAsync(ct);
        Assert.True(git.ExitCode == 0, $"git ls-files failed in {root} (exit {git.ExitCode}): {error}. The scan needs a git checkout with git installed.");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
