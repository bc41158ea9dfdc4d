using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Tests.Runtimes;

/// <summary>
/// Which images a warm container start runs <c>postgres</c> in directly (their entrypoint only re-execs it on an existing
/// cluster): the official image under each of its names, never another image that merely looks like it.
/// </summary>
public sealed class OfficialPostgresImageTests
{
    [Theory]
    [InlineData("docker.io/library/postgres:15", true)]
    [InlineData("postgres:15", true)]
    [InlineData("postgres", true)]
    [InlineData("library/postgres:15-bookworm", true)]
    [InlineData("index.docker.io/library/postgres:15", true)]
    [InlineData("docker.io/library/postgres@sha256:0123456789abcdef", true)]
    [InlineData("docker.io/library/postgres:15@sha256:0123456789abcdef", true)]
    [InlineData("postgis/postgis:15-3.4", false)]
    [InlineData("bitnami/postgresql:15", false)]
    [InlineData("localhost/stackmodel/postgres:15", false)]
    [InlineData("registry.example.com:5000/postgres:15", false)]
    [InlineData("ghcr.io/library/postgres:15", false)]
    public void Only_the_official_image_is_taken_for_it(string image, bool official) =>
        Assert.Equal(official, PostgresContainerImageTags.IsOfficial(image));
}
