namespace StackModel.Tests.Utilities;

/// <summary>Where the tests run: on CI (<c>CI=true</c>) a test whose infrastructure is missing fails; on a laptop it skips with the reason.</summary>
public static class TestEnvironment
{
    /// <summary>Gets a value indicating whether the tests run on CI (<c>CI=true</c>).</summary>
    public static bool IsCI { get; } = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Returns the skip reason for a test that needs what <paramref name="missing"/> says is missing: the reason on a laptop,
    /// <see langword="null"/> (run, and fail saying what is missing) on CI, which never passes by skipping.
    /// </summary>
    public static string? SkipUnlessCI(string? missing) => IsCI ? null : missing;
}
