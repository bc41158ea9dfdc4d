namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A test that runs a published stack with docker-compose on Docker Engine (<see cref="DockerCompose"/>). Without the engine,
/// docker-compose or the images it is skipped with the reason on a laptop, and runs (and fails, saying what is missing) when
/// <c>CI=true</c>: CI never passes by skipping.
/// </summary>
public sealed class RequiresDockerComposeFactAttribute : FactAttribute
{
    public RequiresDockerComposeFactAttribute()
    {
        if (!TestEnvironment.IsCI && DockerCompose.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
