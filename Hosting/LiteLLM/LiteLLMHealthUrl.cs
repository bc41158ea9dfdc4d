using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.LiteLLM;

/// <summary>LiteLLM's liveness URL as seen from a consumer's context; <see langword="null"/> (unset) when LiteLLM will not run.</summary>
internal sealed class LiteLLMHealthUrl(LiteLLMResource resource) : IValueProvider
{
    public string ValueExpression => $"{resource.PrimaryEndpoint.ValueExpression}{LiteLLMResource.HealthCheckPath}";

    public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ResourcePlacement.TryOf(resource) is { Kind: PlacementKind.Off }
            ? null
            : resource.PrimaryEndpoint.Render(EndpointProperty.Url, context) + LiteLLMResource.HealthCheckPath);
}
