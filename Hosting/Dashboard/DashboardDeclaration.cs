namespace StackModel.Hosting.Dashboard;

/// <summary>
/// The AppHost asked for a dashboard on <paramref name="Port"/> and, when <paramref name="OtlpPort"/> is set, an OTLP/HTTP receiver
/// on that port (their defaults; configuration may move them).
/// </summary>
internal sealed record DashboardDeclaration(int Port, int? OtlpPort = null);
