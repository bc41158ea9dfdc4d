using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Export;

/// <summary>
/// <c>.env.stack</c> at the repository root: the host context's exported environment, rewritten (mode 0600) on every start of
/// the stack so host tools read the addresses the stack really uses. <c>Stack:WriteEnvFile=false</c> turns it off (test stacks do).
/// </summary>
internal static class StackEnvFile
{
    public const string FileName = ".env.stack";

    /// <summary>Writes the file and returns its path, or <see langword="null"/> when turned off or nothing is exported.</summary>
    public static async Task<string?> WriteAsync(DistributedApplication app, CancellationToken cancellationToken = default)
    {
        if (!app.Options.WriteEnvFile)
        {
            return null;
        }

        var variables = await EnvExporter.RenderAsync(app.Model, NetworkContext.Host, cancellationToken).ConfigureAwait(false);
        if (variables.Count == 0)
        {
            return null;
        }

        var root = RepositoryRoot.Find(app.AppHostDirectory) ?? app.AppHostDirectory;
        var path = Path.Combine(root, FileName);
        SecureFile.WriteAllText(path, EnvExporter.Format(variables, EnvExportFormat.Dotenv, DescribeSource(app, NetworkContext.Host)));
        return path;
    }

    /// <summary>Says what the exported environment was derived from, for the generated header.</summary>
    public static string DescribeSource(DistributedApplication app, NetworkContext context) =>
        $"the AppHost model ({Path.Combine(app.AppHostDirectory, "Program.cs")}) and the state folder {app.StateDirectory}, for the {(context == NetworkContext.Host ? "host" : "container")} context";
}
