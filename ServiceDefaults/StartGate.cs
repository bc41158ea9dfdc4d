using Microsoft.Extensions.Configuration;

namespace StackModel.ServiceDefaults;

/// <summary>
/// The start gate of a process the AppHost starts early (<c>WithStartGate()</c>): the AppHost starts it with the stack and
/// opens the gate once what it waits for is ready. Call <see cref="WaitAsync"/> before the first connection to a dependency.
/// A process started any other way has no gate, and the call returns at once.
/// </summary>
public static class StartGate
{
    /// <summary>The configuration key (an environment variable set by the AppHost) that says the process has a gate.</summary>
    public const string ConfigurationKey = "STACKMODEL_START_GATE";

    /// <summary>The gate the AppHost sets: the process's standard input. One line <see cref="OpenLine"/> opens it; end of input closes it.</summary>
    internal const string StandardInput = "stdin";

    /// <summary>The line that opens the gate.</summary>
    internal const string OpenLine = "start";

    /// <summary>
    /// Returns once the AppHost opens the gate (at once without one). Throws <see cref="StartGateClosedException"/> when the
    /// AppHost closes it instead (a dependency failed, or the stack stopped): the process must then stop without doing anything.
    /// </summary>
    /// <param name="configuration">The process's configuration (environment variables included).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task WaitAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var gate = configuration[ConfigurationKey];
        if (string.IsNullOrEmpty(gate))
        {
            return;
        }

        if (!string.Equals(gate, StandardInput, StringComparison.Ordinal))
        {
            throw new StartGateClosedException($"{ConfigurationKey} is '{gate}', a gate this process does not know; the AppHost sets '{StandardInput}'. Unset it to run the process on its own.");
        }

        // A console read cannot be cancelled on every platform: the wait is, and the read is left to end with the process.
        var line = await Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(line?.Trim(), OpenLine, StringComparison.Ordinal))
        {
            throw new StartGateClosedException(
                "The AppHost closed this process's start gate without opening it: what it waits for failed, or the stack stopped. Nothing was done.");
        }
    }
}
