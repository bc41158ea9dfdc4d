namespace StackModel.MigrationRunner;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
