using Spectre.Console;

namespace StackModel.Hosting.Orchestration;

/// <summary>Prints each resource's state as it changes, then a summary table of states and host addresses.</summary>
internal sealed class ConsoleReporter(ResourceNotificationService notifications, TextWriter output)
{
    private readonly Dictionary<string, (ResourceState State, string? Detail)> _last = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                var detail = Detail(snapshot);
                if (_last.TryGetValue(snapshot.Name, out var last) && last.State == snapshot.State && last.Detail == detail)
                {
                    continue;
                }

                _last[snapshot.Name] = (snapshot.State, detail);
                await output.WriteLineAsync($"{DateTime.Now:HH:mm:ss} {snapshot.Name,-14} {snapshot.State,-13} {detail}".TrimEnd()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public void PrintSummary(IEnumerable<string> names)
    {
        var table = new Table().AddColumns("Resource", "Type", "Runtime", "State", "Address");
        var reasons = new List<string>();
        foreach (var name in names)
        {
            if (notifications.TryGetSnapshot(name) is { } s)
            {
                table.AddRow(Markup.Escape(s.Name), s.ResourceType, s.Runtime, s.State.ToString(), Markup.Escape(string.Join(" ", s.Urls)));
                if (s.Reason is not null)
                {
                    reasons.Add($"{s.Name}: {s.Reason}");
                }
            }
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Write(table);
        foreach (var reason in reasons)
        {
            console.WriteLine(reason);
        }

        console.WriteLine("Press Ctrl+C to stop the stack.");
    }

    private static string? Detail(ResourceSnapshot snapshot) => snapshot.State switch
    {
        ResourceState.Waiting => $"for {string.Join(", ", snapshot.WaitingFor)}",
        ResourceState.Healthy or ResourceState.Running when snapshot.Urls.Count > 0 => string.Join(" ", snapshot.Urls),
        ResourceState.Finished or ResourceState.Exited => $"exit code {snapshot.ExitCode}" + (snapshot.Reason is null ? string.Empty : $" - {snapshot.Reason}"),
        _ => snapshot.Reason,
    };
}
