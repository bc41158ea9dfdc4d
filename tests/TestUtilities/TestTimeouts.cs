namespace StackModel.Tests.Utilities;

/// <summary>Every await in a test is bounded; CI machines are shared and slower, so every bound is twice as long there.</summary>
public static class TestTimeouts
{
    /// <summary>Returns <paramref name="onLaptop"/>, doubled on CI.</summary>
    public static TimeSpan Scaled(TimeSpan onLaptop) => TestEnvironment.IsCI ? onLaptop * 2 : onLaptop;

    /// <summary>Returns a token that fires after <paramref name="onLaptop"/> (doubled on CI).</summary>
    public static CancellationToken Token(TimeSpan onLaptop) => new CancellationTokenSource(Scaled(onLaptop)).Token;
}
