using System.Reflection;

namespace StackModel.Dashboard.Tests.Infrastructure;

/// <summary>What the machine offers the tests, and how long the tests wait for it.</summary>
internal static class Machine
{
    /// <summary>Debian's Chromium; Playwright drives it, and never downloads a browser of its own.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Every await in a test is bounded by this; longer on CI, where the machine is shared.</summary>
    public static TimeSpan Timeout { get; } = TestTimeouts.Scaled(TimeSpan.FromSeconds(90));

    public static string? ChromiumMissingReason { get; } =
        File.Exists(ChromiumPath) ? null : $"Chromium is not installed at {ChromiumPath}; install it with: apt-get install -y chromium";

    public static string LiteLLMStandInPath { get; } =
        typeof(Machine).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LiteLLMStandInPath").Value!;

    public static CancellationToken TimeoutToken() => new CancellationTokenSource(Timeout).Token;
}
