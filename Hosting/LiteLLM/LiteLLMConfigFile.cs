using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.LiteLLM;

/// <summary>The path of LiteLLM's <c>config.yaml</c> where LiteLLM runs: the host path for a host process, the mount target in a container.</summary>
internal sealed class LiteLLMConfigFile(LiteLLMResource resource) : IValueProvider
{
    public string ValueExpression => $"{{{resource.Name}.config}}";

    public ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(context == NetworkContext.Host ? resource.ConfigFile : LiteLLMResource.ContainerConfigPath);
}
