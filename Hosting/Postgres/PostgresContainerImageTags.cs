namespace StackModel.Hosting.Postgres;

/// <summary>The PostgreSQL image the container runtime runs: pinned to one major version, here and nowhere else.</summary>
/// <remarks>
/// Pulled when missing (<c>Stack:PullPolicy</c>); on a machine that reaches no registry it can be built locally from Debian
/// packages and tagged with this name (<c>eng/containers/postgres/build-image.sh</c>). <c>Stack:PostgresImage</c> replaces it.
/// </remarks>
internal static class PostgresContainerImageTags
{
    /// <summary>The registry.</summary>
    public const string Registry = "docker.io";

    /// <summary>The image.</summary>
    public const string Image = "library/postgres";

    /// <summary>The tag: the major version, matching the process runtime's <c>postgresql-15</c> binaries.</summary>
    public const string Tag = "15";

    /// <summary>The full reference, <c>docker.io/library/postgres:15</c>.</summary>
    public const string Reference = $"{Registry}/{Image}:{Tag}";

    /// <summary>How to get the image on a machine that reaches no registry.</summary>
    public const string BuildHint = "eng/containers/postgres/build-image.sh (after eng/containers/install-podman.sh) builds it from Debian packages and tags it " + Reference + ".";

    /// <summary>The image PostgreSQL runs: <c>Stack:PostgresImage</c> when set, else <see cref="Reference"/>.</summary>
    public static string For(StackOptions options) =>
        options.PostgresImage is { Length: > 0 } configured ? configured.Trim() : Reference;

    /// <summary>
    /// Whether <paramref name="image"/> is the official image (<c>postgres:&lt;tag&gt;</c>, <c>library/postgres</c>,
    /// <c>docker.io/library/postgres</c>), whose entrypoint on an existing data folder only execs <c>postgres</c> as the
    /// <c>postgres</c> user (<see cref="Runtimes.Container.PostgresContainerRuntime"/> starts it directly then).
    /// </summary>
    public static bool IsOfficial(string image)
    {
        var repository = image.Split('@')[0];
        var colon = repository.LastIndexOf(':');
        if (colon > repository.LastIndexOf('/'))
        {
            repository = repository[..colon];
        }

        return repository is "postgres" or "library/postgres" or $"{Registry}/{Image}" or "index.docker.io/library/postgres";
    }

    /// <summary>How to get <paramref name="image"/> locally.</summary>
    public static string BuildHintFor(string image) => image == Reference
        ? BuildHint
        : $"{BuildHint} Stack:PostgresImage is '{image}': tag that build with this name too, or remove the setting to run {Reference}.";
}
