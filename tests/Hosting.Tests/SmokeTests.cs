namespace StackModel.Hosting;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
