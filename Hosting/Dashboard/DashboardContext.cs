using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Dashboard;

/// <summary>What the dashboard reads and acts on: the model, the live snapshots and logs, and the orchestrator's per-resource actions.</summary>
internal sealed record DashboardContext(
    DistributedApplicationModel Model,
    ResourceNotificationService Notifications,
    ResourceLoggerService Logs,
    ApplicationOrchestrator Orchestrator,
    DashboardOptions Options);
