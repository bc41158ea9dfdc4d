using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.LiteLLM;

/// <summary>Declares the LiteLLM proxy and wires it to its database.</summary>
public static class LiteLLMBuilderExtensions
{
    /// <summary>The configuration section that says where LiteLLM runs (<c>LiteLLM:Runtime</c>, <c>LiteLLM:Command</c>, <c>LiteLLM:CommandArgs</c>).</summary>
    public const string ConfigurationSection = "LiteLLM";

    /// <summary>Adds the LiteLLM proxy.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name; also its host name on the stack's network.</param>
    /// <param name="port">The host port on 127.0.0.1; LiteLLM listens on 4000 in a container.</param>
    /// <param name="configFile">Its <c>config.yaml</c>, relative to the AppHost project folder. Default: <c>litellm/config.yaml</c>.</param>
    /// <remarks>
    /// <para>Where it runs is chosen at start by configuration <c>LiteLLM:Runtime</c>: <c>auto</c> (default: a container when an engine
    /// answers, else the <c>litellm</c> command when it is on PATH, else off with a warning), <c>container</c>, <c>executable</c>
    /// (<c>LiteLLM:Command</c>, default <c>litellm</c>, may carry leading arguments such as <c>dotnet /path/app.dll</c>) or <c>off</c>
    /// (shown as NotStarted; whatever waits for it starts without it).</para>
    /// <para>Environment: <c>LITELLM_MASTER_KEY</c> and <c>LITELLM_SALT_KEY</c> from secret parameters <c>&lt;name&gt;-master-key</c> and
    /// <c>&lt;name&gt;-salt-key</c> (generated once with the prefix <c>sk-</c>, kept in the state folder; the salt key never changes),
    /// <c>STORE_MODEL_IN_DB=True</c>; arguments <c>--config &lt;file&gt; --port &lt;port&gt;</c>; health <c>GET /health/liveliness</c>.
    /// Image <c>ghcr.io/berriai/litellm</c>, tag pinned in one place; configuration <c>LiteLLM:Image</c> (<c>&lt;image&gt;:&lt;tag&gt;</c>) replaces it.</para>
    /// </remarks>
    public static IResourceBuilder<LiteLLMResource> AddLiteLLM(this IDistributedApplicationBuilder builder, string name, int port, string configFile = "litellm/config.yaml")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configFile);
        var masterKey = builder.AddParameter($"{name}-master-key", new GeneratedParameterDefault { Prefix = "sk-" });
        var saltKey = builder.AddParameter($"{name}-salt-key", new GeneratedParameterDefault { Prefix = "sk-" });
        var resource = new LiteLLMResource(name, masterKey.Resource, saltKey.Resource, Path.GetFullPath(configFile, builder.AppHostDirectory));
        if (builder.Configuration[$"{ConfigurationSection}:Image"] is { Length: > 0 } image)
        {
            // Another image of the same proxy (a mirror, or a stand-in on a machine that reaches no registry), for the AppHost and publish alike.
            var (repository, tag) = SplitImage(image.Trim());
            resource.Image = repository;
            resource.Tag = tag;
        }

        var litellm = builder.AddResource(resource)
            .WithHttpEndpoint(port, LiteLLMResource.DefaultTargetPort, LiteLLMResource.PrimaryEndpointName)
            .WithBindMount(configFile, LiteLLMResource.ContainerConfigPath, isReadOnly: true)
            .WithEnvironment("LITELLM_MASTER_KEY", masterKey)
            .WithEnvironment("LITELLM_SALT_KEY", saltKey)
            .WithEnvironment("STORE_MODEL_IN_DB", "True")
            .WithHttpHealthCheck(LiteLLMResource.HealthCheckPath, endpointName: LiteLLMResource.PrimaryEndpointName)
            .WithAnnotation(new PlacementChoiceAnnotation(ConfigurationSection, "litellm", "pip install 'litellm[proxy]'"))
            .WithAnnotation(new ResourceKindAnnotation { DisplayType = "LiteLLM" });

        // The port it listens on where it runs: the target port in a container; the host port for a host process, which has no port mapping.
        return litellm.WithArgs("--config", new LiteLLMConfigFile(resource), "--port", resource.PrimaryEndpoint.Property(EndpointProperty.Port));
    }

    private static (string Repository, string Tag) SplitImage(string image)
    {
        var colon = image.LastIndexOf(':');
        if (colon <= image.LastIndexOf('/') || colon == image.Length - 1)
        {
            throw new DistributedApplicationException(
                $"{ConfigurationSection}:Image is '{image}', which has no tag. Expected <image>:<tag> with a pinned tag, e.g. {LiteLLMContainerImageTags.Image}:{LiteLLMContainerImageTags.Tag}; or remove the setting.");
        }

        return (image[..colon], image[(colon + 1)..]);
    }

    /// <summary>
    /// Wires LiteLLM to its own database: <c>DATABASE_URL</c> is the database's <c>postgresql://</c> URI with its owner's credentials,
    /// rendered for where LiteLLM runs (<c>127.0.0.1:&lt;host port&gt;</c> for a host process, <c>&lt;server&gt;:5432</c> in a container).
    /// LiteLLM becomes the database's owner and its migration system (Prisma), so <c>Build()</c> refuses the same database for the app.
    /// </summary>
    public static IResourceBuilder<LiteLLMResource> WithDatabase(this IResourceBuilder<LiteLLMResource> builder, IResourceBuilder<PostgresDatabaseResource> database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        if (builder.Resource.Database is { } existing && !ReferenceEquals(existing, database.Resource))
        {
            throw new DistributedApplicationException(
                $"LiteLLM '{builder.Resource.Name}' is already wired to database '{existing.Name}'; it cannot also use '{database.Resource.Name}'. Keep one WithDatabase call.");
        }

        builder.Resource.Database = database.Resource;
        database.WithMigrations(builder, "LiteLLM's Prisma migrations");
        return builder.WithAnnotation(new ResourceReferenceAnnotation(database.Resource))
            .WithEnvironment("DATABASE_URL", database.Resource.MigratorUriExpression);
    }
}
