using System.Reflection;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting;

/// <summary>
/// What a <see cref="DistributedApplicationBuilder"/> is created from. Sent with the <see cref="HostingDiagnostics.BuilderConstructing"/>
/// event before it is used, so a listener (the testing builder) may change it, as Aspire's testing factory does with its options.
/// </summary>
internal sealed class DistributedApplicationBuilderSettings
{
    /// <summary>Gets or sets the command-line arguments: a verb and/or configuration (<c>--Stack:Runtime=process</c>).</summary>
    public required string[] Args { get; set; }

    /// <summary>Gets the AppHost's assembly, whose metadata names the AppHost project folder; <see langword="null"/> for none.</summary>
    public Assembly? AppHostAssembly { get; init; }

    /// <summary>Gets or sets the AppHost project folder; <see langword="null"/> finds it from <see cref="AppHostAssembly"/> or the current folder.</summary>
    public string? AppHostDirectory { get; set; }

    /// <summary>Gets configuration that wins over <c>appsettings.json</c> and environment variables, and yields to the command line.</summary>
    public IDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets a last change to the AppHost's logging, after its defaults.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
