using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;
using StackModel.Hosting.Telemetry;

namespace StackModel.Hosting.Dashboard;

/// <summary>What the dashboard reads and acts on: the model, the live snapshots and logs, the orchestrator's per-resource actions, and the telemetry received over OTLP (when a receiver runs).</summary>
internal sealed record DashboardContext(
    DistributedApplicationModel Model,
    ResourceNotificationService Notifications,
    ResourceLoggerService Logs,
    ApplicationOrchestrator Orchestrator,
    DashboardOptions Options,
    TelemetryStore? Telemetry = null);
