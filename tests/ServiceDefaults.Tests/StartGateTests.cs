using Microsoft.Extensions.Configuration;

namespace StackModel.ServiceDefaults.Tests;

/// <summary>The gate of a process the AppHost starts early: its standard input says when to go on.</summary>
[Collection(nameof(ConsoleInput))]
public sealed class StartGateTests
{
    private static IConfiguration Configuration(string? gate) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [StartGate.ConfigurationKey] = gate }).Build();

    [Fact]
    public async Task Without_a_gate_it_returns_at_once_and_reads_nothing()
    {
        using var input = ConsoleInput.Set("start\n");

        await StartGate.WaitAsync(Configuration(null), CancellationToken.None);

        Assert.Equal("start", Console.In.ReadLine());
    }

    [Fact]
    public async Task The_line_start_opens_it()
    {
        using var input = ConsoleInput.Set("start\n");

        await StartGate.WaitAsync(Configuration("stdin"), CancellationToken.None);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("stop\n")]
    public async Task End_of_input_or_any_other_line_closes_it(string text)
    {
        using var input = ConsoleInput.Set(text);

        var error = await Assert.ThrowsAsync<StartGateClosedException>(() => StartGate.WaitAsync(Configuration("stdin"), CancellationToken.None));

        Assert.Contains("Nothing was done", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_gate_is_refused_with_what_to_do()
    {
        var error = await Assert.ThrowsAsync<StartGateClosedException>(() => StartGate.WaitAsync(Configuration("fifo"), CancellationToken.None));

        Assert.Contains(StartGate.ConfigurationKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("Unset it", error.Message, StringComparison.Ordinal);
    }
}
