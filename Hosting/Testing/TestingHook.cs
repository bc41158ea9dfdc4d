using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Lets the testing builder run a real AppHost entry point: configuration overrides and a state folder of its own,
/// a look at the builder before validation, and the built application instead of a blocking run.
/// </summary>
internal sealed class TestingHook
{
    private static readonly AsyncLocal<TestingHook?> CurrentHook = new();

    public static TestingHook? Current
    {
        get => CurrentHook.Value;
        set => CurrentHook.Value = value;
    }

    public required IReadOnlyDictionary<string, string?> Configuration { get; init; }

    public string? AppHostDirectory { get; init; }

    public Action<DistributedApplicationBuilder>? BeforeBuild { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    public Action<DistributedApplication>? AfterBuild { get; init; }

    public DistributedApplication? Application { get; private set; }

    public void Built(DistributedApplication application)
    {
        Application = application;
        AfterBuild?.Invoke(application);
    }
}
