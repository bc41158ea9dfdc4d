namespace StackModel.Hosting.Telemetry;

/// <summary>Log levels as the dashboard names them (.NET's), from OTLP's severity numbers.</summary>
internal static class TelemetryLevels
{
    public static readonly string[] Names = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    /// <summary>Maps an OTLP severity number (1–24) to a level; 0 (unspecified) falls back to the severity text, else Information.</summary>
    public static string FromSeverity(int number, string? text) => number switch
    {
        >= 1 and <= 4 => "Trace",
        >= 5 and <= 8 => "Debug",
        >= 9 and <= 12 => "Information",
        >= 13 and <= 16 => "Warning",
        >= 17 and <= 20 => "Error",
        >= 21 => "Critical",
        _ => Parse(text) is { } level ? Names[level] : "Information",
    };

    /// <summary>Returns the level's rank (Trace = 0 … Critical = 5), or <see langword="null"/> for a name that is not a level.</summary>
    public static int? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return trimmed.ToUpperInvariant() switch
        {
            "INFO" => 2,
            "WARN" => 3,
            "FATAL" => 5,
            _ => null,
        };
    }

    public static int Rank(string level) => Parse(level) ?? 2;
}
