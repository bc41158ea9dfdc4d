namespace StackModel.ServiceDefaults.Tests;

/// <summary>Console.In is process-wide: the tests that replace it run one at a time and put it back.</summary>
[CollectionDefinition(nameof(ConsoleInput), DisableParallelization = true)]
public sealed class ConsoleInput : IDisposable
{
    private readonly TextReader _previous = Console.In;

    public static ConsoleInput Set(string text)
    {
        var input = new ConsoleInput();
        Console.SetIn(new StringReader(text));
        return input;
    }

    public void Dispose() => Console.SetIn(_previous);
}
