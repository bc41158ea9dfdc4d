namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A test that needs a container engine answering <c>info</c> and the locally built images (postgres:15, and the LiteLLM
/// stand-in when <see cref="NeedsStandInImage"/>). Without them it is skipped with the reason on a laptop, and runs (and
/// fails, saying what is missing) when <c>CI=true</c>: CI never passes by skipping. CI builds them in .ci/steps/20-containers.sh.
/// </summary>
public sealed class RequiresContainerEngineFactAttribute : FactAttribute
{
    private bool _needsStandInImage;
    private bool _needsPostgresImage = true;

    public RequiresContainerEngineFactAttribute()
    {
        Apply();
    }

    /// <summary>Gets or sets a value indicating whether the test runs the LiteLLM stand-in image.</summary>
    public bool NeedsStandInImage
    {
        get => _needsStandInImage;
        set
        {
            _needsStandInImage = value;
            Apply();
        }
    }

    /// <summary>Gets or sets a value indicating whether the test runs the postgres:15 image (default); tests of absent images need only the engine.</summary>
    public bool NeedsPostgresImage
    {
        get => _needsPostgresImage;
        set
        {
            _needsPostgresImage = value;
            Apply();
        }
    }

    private void Apply()
    {
        Skip = null;
        if (!TestEnvironment.IsCI && ContainerMachine.MissingReason(_needsStandInImage, _needsPostgresImage) is { } reason)
        {
            Skip = reason;
        }
    }
}
