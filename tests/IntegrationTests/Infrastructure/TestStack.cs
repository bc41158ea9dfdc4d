using StackModel.Hosting;
using StackModel.Hosting.Testing;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>Starts the real AppHost definition as a test stack.</summary>
internal static class TestStack
{
    public static async Task<DistributedApplication> StartAppHostAsync(CancellationToken cancellationToken, params string[] args)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(args, cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Every await in a test is bounded by this (<see cref="TestTimeouts"/>: doubled on CI, where the machine is shared).</summary>
    public static TimeSpan TimeoutSpan { get; } = TestTimeouts.Scaled(TimeSpan.FromSeconds(60));

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeoutSpan).Token;
}
