using System.Diagnostics;

namespace StackModel.Hosting;

/// <summary>
/// The events the AppHost's builder emits on the <see cref="DiagnosticListener"/> named <see cref="ListenerName"/>, as Aspire's
/// builder does on "Aspire.Hosting". The testing builder listens to run a real AppHost entry point up to <c>Build()</c>; production
/// code holds no test-only hook. An event is written only when someone listens.
/// </summary>
internal static class HostingDiagnostics
{
    /// <summary>The listener's name.</summary>
    public const string ListenerName = "StackModel.Hosting";

    /// <summary>Before the builder is set up; the payload is its <see cref="DistributedApplicationBuilderSettings"/>, which a listener may change.</summary>
    public const string BuilderConstructing = "DistributedApplicationBuilderConstructing";

    /// <summary>Once the builder is set up; the payload is the <see cref="DistributedApplicationBuilder"/>.</summary>
    public const string BuilderConstructed = "DistributedApplicationBuilderConstructed";

    /// <summary>When <c>Build()</c> is called, before anything is validated; the payload is the <see cref="DistributedApplicationBuilder"/>.</summary>
    public const string Building = "DistributedApplicationBuilding";

    /// <summary>Once <c>Build()</c> returns the application; the payload is the <see cref="DistributedApplication"/>.</summary>
    public const string Built = "DistributedApplicationBuilt";

    private static readonly DiagnosticListener Listener = new(ListenerName);

    /// <summary>Gets whether anyone listens (the testing builder): a start under it launches nothing early.</summary>
    public static bool IsObserved => Listener.IsEnabled();

    /// <summary>Writes <paramref name="name"/> with <paramref name="payload"/> when a listener is subscribed to it.</summary>
    public static void Write(string name, object payload)
    {
        if (Listener.IsEnabled(name))
        {
            Listener.Write(name, payload);
        }
    }
}
