namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that change the test process's own environment variables (which every child process inherits) run in this collection:
/// alone, after the parallel ones, so that no other test's AppHost or engine call sees a value that was meant for one test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
