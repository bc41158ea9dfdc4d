using Microsoft.Extensions.Logging.Abstractions;
using StackModel.Hosting.Runtimes.Container;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>What a stack names on a container engine: per state folder, so two checkouts of one AppHost never share a volume.</summary>
public sealed class ContainerStackNamesTests
{
    [Fact]
    public void A_new_volume_the_network_and_containers_carry_the_stack_name_and_the_first_10_hex_digits_of_the_state_folders_hash()
    {
        var containers = Stack("stackmodel", "/home/dev/shop/AppHost/.stackmodel");

        // SHA-256 of "/home/dev/shop/AppHost/.stackmodel" (sha256sum of the path without a newline) begins with these 10 digits.
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("/home/dev/shop/AppHost/.stackmodel"u8))[..10];
        Assert.Equal($"stackmodel-{id}", containers.NetworkName);
        Assert.Equal($"stackmodel-{id}-postgres", containers.ContainerName("postgres"));
        Assert.Equal($"stackmodel-{id}-postgres-data", containers.VolumeName("postgres", "data"));
        Assert.Equal("stackmodel-postgres-data", containers.LegacyVolumeName("postgres", "data"));
        Assert.True(ContainerStackNames.IsValid(containers.VolumeName("postgres", "data")));
    }

    [Fact]
    public void The_same_state_folder_gets_the_same_names_and_another_checkout_gets_others()
    {
        Assert.Equal(Stack("stackmodel", "/src/a/AppHost/.stackmodel").VolumeName("postgres", "data"), Stack("stackmodel", "/src/a/AppHost/.stackmodel/").VolumeName("postgres", "data"));
        Assert.NotEqual(Stack("stackmodel", "/src/a/AppHost/.stackmodel").VolumeName("postgres", "data"), Stack("stackmodel", "/src/b/AppHost/.stackmodel").VolumeName("postgres", "data"));
    }

    [Theory]
    [InlineData("My Shop", "My-Shop")]
    [InlineData("-stack", "stack")]
    [InlineData("stack/one", "stack-one")]
    [InlineData("shop.dev_1", "shop.dev_1")]
    [InlineData("", "stackmodel")]
    public void A_stack_name_an_engine_would_refuse_is_made_to_fit_as_aspire_does_with_its_application_name(string name, string fitted)
    {
        var volume = Stack(name, "/src/a/AppHost/.stackmodel").VolumeName("postgres", "data");

        Assert.StartsWith(fitted + "-", volume, StringComparison.Ordinal);
        Assert.True(ContainerStackNames.IsValid(volume), volume);
    }

    private static ContainerStack Stack(string name, string stateDirectory)
    {
        var options = new StackOptions { Name = name };
        return new ContainerStack(options, new ContainerEngineLocator(options, NullLogger<ContainerEngineLocator>.Instance), stateDirectory, NullLogger<ContainerStack>.Instance);
    }
}
