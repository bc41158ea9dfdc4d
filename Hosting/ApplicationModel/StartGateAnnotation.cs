namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// The annotated project's process is started with the stack and held at its start gate until what it waits for is ready
/// (see <see cref="ResourceBuilderExtensions.WithStartGate"/>). The gate's protocol is ServiceDefaults' <c>StartGate</c>.
/// </summary>
public sealed class StartGateAnnotation : IResourceAnnotation;
