using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes.Container;
using StackModel.Hosting.State;

namespace StackModel.Hosting.Orchestration;

/// <summary>What every runner shares: the model, settings, state, notifications and logs.</summary>
internal sealed class OrchestratorContext(
    DistributedApplicationModel model,
    StackOptions options,
    StackStateStore state,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    ILoggerFactory loggerFactory,
    IHttpClientFactory httpClientFactory)
{
    public DistributedApplicationModel Model { get; } = model;

    public StackOptions Options { get; } = options;

    public StackStateStore State { get; } = state;

    public ResourceNotificationService Notifications { get; } = notifications;

    public ResourceLoggerService Logs { get; } = logs;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    public IHttpClientFactory HttpClientFactory { get; } = httpClientFactory;
}
