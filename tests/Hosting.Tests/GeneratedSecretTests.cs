using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Tests;

public class GeneratedSecretTests
{
    [Fact]
    public void Generated_secrets_are_long_random_and_safe_without_quoting()
    {
        var generated = new GeneratedParameterDefault();

        var first = generated.Generate();
        var second = generated.Generate();

        Assert.True(first.Length >= 22);
        Assert.NotEqual(first, second);
        Assert.Matches("^[A-Za-z0-9]+$", first);
    }

    [Fact]
    public void A_secret_shorter_than_22_characters_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new GeneratedParameterDefault { Length = 12 }.Generate());
    }
}
