namespace StackModel.Hosting.Dashboard;

/// <summary>The AppHost asked for a dashboard on <paramref name="Port"/> (its default; configuration may move it).</summary>
internal sealed record DashboardDeclaration(int Port);
