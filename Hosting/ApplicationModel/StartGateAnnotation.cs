namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// The annotated project's process is started with the stack and held at its start gate until what it waits for is ready
/// (see <see cref="ResourceBuilderExtensions.WithStartGate"/>).
/// </summary>
public sealed class StartGateAnnotation : IResourceAnnotation
{
    /// <summary>The environment variable that tells the process to wait at its gate, and how: <see cref="StandardInput"/>.</summary>
    public const string EnvironmentVariable = "STACKMODEL_START_GATE";

    /// <summary>The gate is the process's standard input: one line <see cref="OpenLine"/> opens it; end of input closes it for good.</summary>
    public const string StandardInput = "stdin";

    /// <summary>The line that opens the gate.</summary>
    public const string OpenLine = "start";
}
