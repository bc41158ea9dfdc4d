namespace StackModel.Hosting.Orchestration;

/// <summary>How the running stack shows itself on the console: a live table in a terminal, timestamped lines when redirected.</summary>
internal interface IConsoleView
{
    /// <summary>Follows the resources' states until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Shows the dashboard's login URL, or why the dashboard is off.</summary>
    void ShowDashboard(string statusLine);

    /// <summary>Shows where the stack stands once every resource has settled.</summary>
    void PrintSummary(IEnumerable<string> names);
}
