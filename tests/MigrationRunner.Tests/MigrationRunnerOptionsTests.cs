using Microsoft.Extensions.Configuration;
using StackModel.MigrationRunner.Configuration;

namespace StackModel.MigrationRunner.Tests;

/// <summary>Settings have the documented defaults and refuse bad values with the key and the fix.</summary>
public sealed class MigrationRunnerOptionsTests
{
    [Fact]
    public void Defaults_are_app_dev_no_wait_and_a_120_second_timeout()
    {
        var options = MigrationRunnerOptions.Read(Configuration(("Migrations:Path", "db/migrations")));

        Assert.Equal("app_dev", options.ConnectionName);
        Assert.Null(options.WaitForHealthUrl);
        Assert.Equal(TimeSpan.FromSeconds(120), options.WaitTimeout);
        Assert.False(options.ExpectedTarget.IsSpecified);
    }

    [Fact]
    public void Every_setting_is_read_from_its_key()
    {
        var options = MigrationRunnerOptions.Read(Configuration(
            ("Migrations:Path", "db/migrations"),
            ("Migrations:ConnectionName", "other"),
            ("Migrations:WaitForHealthUrl", "http://127.0.0.1:14000/health/liveliness"),
            ("Migrations:WaitTimeout", "00:00:30"),
            ("Migrations:ExpectedDatabase", "app_dev"),
            ("Migrations:ExpectedServerPort", "15432")));

        Assert.Equal("other", options.ConnectionName);
        Assert.Equal(new Uri("http://127.0.0.1:14000/health/liveliness"), options.WaitForHealthUrl);
        Assert.Equal(TimeSpan.FromSeconds(30), options.WaitTimeout);
        Assert.Equal("app_dev", options.ExpectedTarget.Database);
        Assert.Equal(15432, options.ExpectedTarget.ServerPort);
    }

    [Theory]
    [InlineData("Migrations:WaitForHealthUrl", "litellm:14000")]
    [InlineData("Migrations:WaitTimeout", "-5")]
    [InlineData("Migrations:ExpectedServerPort", "70000")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value)
    {
        var error = Assert.Throws<MigrationException>(() => MigrationRunnerOptions.Read(Configuration(("Migrations:Path", "db/migrations"), (key, value))));

        Assert.Equal(MigrationExitCode.InvalidInput, error.ExitCode);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value))).Build();
}
