using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.LiteLLM;

/// <summary>
/// The LiteLLM proxy: an OpenAI-compatible gateway that keeps its keys, teams and spend in a PostgreSQL database of its own,
/// whose schema it changes itself (Prisma migrations) at every start.
/// </summary>
/// <remarks>
/// Image <c>ghcr.io/berriai/litellm</c> at a pinned <c>-stable</c> tag, or the <c>litellm</c> command on the host
/// (configuration <c>LiteLLM:Runtime</c>). Listens on 4000 in its own network context; healthy while
/// <c>GET /health/liveliness</c> answers 200. Master and salt keys are generated once (<c>sk-…</c>) and kept in the stack's state.
/// </remarks>
public sealed class LiteLLMResource : ContainerResource
{
    /// <summary>The HTTP endpoint's name.</summary>
    public const string PrimaryEndpointName = "http";

    /// <summary>The port LiteLLM listens on inside a container (LiteLLM's default).</summary>
    public const int DefaultTargetPort = 4000;

    /// <summary>The liveness path, answered without a key.</summary>
    public const string HealthCheckPath = "/health/liveliness";

    /// <summary>Where the configuration file is mounted inside the container (the image's documented location).</summary>
    public const string ContainerConfigPath = "/app/config.yaml";

    /// <summary>Initializes a LiteLLM resource.</summary>
    /// <param name="name">The resource name; also its host name on the stack's network.</param>
    /// <param name="masterKey">The admin key (<c>LITELLM_MASTER_KEY</c>).</param>
    /// <param name="saltKey">The key that encrypts stored credentials (<c>LITELLM_SALT_KEY</c>); it must never change once keys are stored.</param>
    /// <param name="configFile">The absolute path of <c>config.yaml</c> on the host.</param>
    public LiteLLMResource(string name, ParameterResource masterKey, ParameterResource saltKey, string configFile)
        : base(name, LiteLLMContainerImageTags.Image, LiteLLMContainerImageTags.Tag)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentNullException.ThrowIfNull(saltKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(configFile);
        MasterKey = masterKey;
        SaltKey = saltKey;
        ConfigFile = configFile;
        PrimaryEndpoint = new EndpointReference(this, PrimaryEndpointName);
        HealthCheckUrl = new LiteLLMHealthUrl(this);
    }

    /// <summary>Gets the master key parameter.</summary>
    public ParameterResource MasterKey { get; }

    /// <summary>Gets the salt key parameter.</summary>
    public ParameterResource SaltKey { get; }

    /// <summary>Gets the path of <c>config.yaml</c> on the host.</summary>
    public string ConfigFile { get; }

    /// <summary>Gets the HTTP endpoint.</summary>
    public EndpointReference PrimaryEndpoint { get; }

    /// <summary>Gets the database LiteLLM is wired to (<see cref="LiteLLMBuilderExtensions.WithDatabase"/>), if any.</summary>
    public PostgresDatabaseResource? Database { get; internal set; }

    /// <summary>
    /// Gets the liveness URL (<c>&lt;endpoint&gt;/health/liveliness</c>) for a consumer's network context; empty (the variable is not set)
    /// when LiteLLM is turned off, so a consumer that waits on it does not wait for a service that will never answer.
    /// </summary>
    public IValueProvider HealthCheckUrl { get; }
}
