namespace StackModel.Hosting.Dashboard;

/// <summary>One row of the dashboard's resources table, as sent to the page (JSON). Never carries environment values.</summary>
internal sealed record ResourceView(
    string Name,
    string Type,
    string Runtime,
    string State,
    string Health,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    int? ExitCode,
    IReadOnlyList<string> WaitingFor,
    DateTimeOffset? WaitingSince,
    IReadOnlyList<string> Urls,
    string? Reason,
    bool CanStart,
    bool CanStop,
    bool CanRestart);
