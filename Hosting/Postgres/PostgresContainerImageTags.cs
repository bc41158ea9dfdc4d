namespace StackModel.Hosting.Postgres;

/// <summary>The PostgreSQL image the container runtime runs: pinned to one major version, here and nowhere else.</summary>
/// <remarks>
/// On machines without a registry the image is built locally from Debian packages and tagged with this name
/// (<c>eng/containers/postgres/build-image.sh</c>), so no pull is ever tried.
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
    public const string BuildHint = "Build it with eng/containers/postgres/build-image.sh (after eng/containers/install-podman.sh), which tags it " + Reference + ".";
}
