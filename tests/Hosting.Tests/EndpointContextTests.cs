using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Tests;

public class EndpointContextTests
{
    [Fact]
    public async Task A_host_process_gets_loopback_and_the_host_port_in_both_connection_forms()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev");
        TestBuilder.ResolveParameters(builder);

        var keyword = await db.Resource.ConnectionStringExpression.GetValueAsync(NetworkContext.Host);
        var uri = await db.Resource.UriExpression.GetValueAsync(NetworkContext.Host);

        Assert.Equal("Host=127.0.0.1;Port=15432;Username=app_dev_owner;Password=p@ss:w/rd;Database=app_dev", keyword);
        Assert.Equal("postgresql://app_dev_owner:p%40ss%3Aw%2Frd@127.0.0.1:15432/app_dev", uri);
    }

    [Fact]
    public async Task A_container_on_the_stack_network_gets_the_resource_name_and_the_target_port_in_both_forms()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 15432).AddDatabase("litellm_dev");
        TestBuilder.ResolveParameters(builder);

        var keyword = await db.Resource.ConnectionStringExpression.GetValueAsync(NetworkContext.ContainerNetwork);
        var uri = await db.Resource.UriExpression.GetValueAsync(NetworkContext.ContainerNetwork);

        Assert.Equal("Host=postgres;Port=5432;Username=litellm_dev_owner;Password=p@ss:w/rd;Database=litellm_dev", keyword);
        Assert.Equal("postgresql://litellm_dev_owner:p%40ss%3Aw%2Frd@postgres:5432/litellm_dev", uri);
    }

    [Theory]
    [InlineData(NetworkContext.Host, "http://127.0.0.1:14000")]
    [InlineData(NetworkContext.ContainerNetwork, "http://proxy:4001")]
    public async Task An_http_endpoint_renders_per_context(NetworkContext context, string expected)
    {
        var builder = TestBuilder.Create();
        var proxy = builder.AddExecutable("proxy", "proxy", ".").WithHttpEndpoint(port: 14000, targetPort: 4001);

        Assert.Equal(expected, await proxy.GetEndpoint("http").GetValueAsync(context));
    }

    [Fact]
    public async Task A_reference_injects_the_connection_string_and_each_connection_property()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev");
        var runner = builder.AddExecutable("runner", "runner", ".").WithReference(db);
        TestBuilder.ResolveParameters(builder, "secret");

        var env = await Orchestration.EnvironmentRenderer.RenderEnvironmentAsync(runner.Resource, NetworkContext.Host);

        Assert.Equal("Host=127.0.0.1;Port=15432;Username=app_dev_owner;Password=secret;Database=app_dev", env["ConnectionStrings__app_dev"]);
        Assert.Equal("127.0.0.1", env["APP_DEV_HOST"]);
        Assert.Equal("15432", env["APP_DEV_PORT"]);
        Assert.Equal("app_dev_owner", env["APP_DEV_USERNAME"]);
        Assert.Equal("secret", env["APP_DEV_PASSWORD"]);
        Assert.Equal("app_dev", env["APP_DEV_DATABASENAME"]);
        Assert.Equal("postgresql://app_dev_owner:secret@127.0.0.1:15432/app_dev", env["APP_DEV_URI"]);
    }

    [Fact]
    public async Task A_reference_never_hands_out_the_superuser()
    {
        var builder = TestBuilder.Create();
        var db = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev");
        var runner = builder.AddExecutable("runner", "runner", ".").WithReference(db);
        TestBuilder.ResolveParameters(builder);

        var env = await Orchestration.EnvironmentRenderer.RenderEnvironmentAsync(runner.Resource, NetworkContext.Host);

        Assert.DoesNotContain(env.Values, v => v!.Contains("Username=postgres", StringComparison.Ordinal) || v.Contains("//postgres:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Environment_accepts_literals_parameters_and_expressions()
    {
        var builder = TestBuilder.Create();
        var key = builder.AddParameter("key", secret: true);
        var postgres = builder.AddPostgres("postgres", port: 15432);
        var endpoint = postgres.Resource.Endpoint;
        var app = builder.AddExecutable("app", "app", ".")
            .WithEnvironment("LITERAL", "x")
            .WithEnvironment("KEY", key)
            .WithEnvironment("ADDRESS", $"{endpoint.Property(EndpointProperty.HostAndPort)}/db");
        TestBuilder.ResolveParameters(builder, "k");

        var env = await Orchestration.EnvironmentRenderer.RenderEnvironmentAsync(app.Resource, NetworkContext.ContainerNetwork);

        Assert.Equal("x", env["LITERAL"]);
        Assert.Equal("k", env["KEY"]);
        Assert.Equal("postgres:5432/db", env["ADDRESS"]);
        Assert.True(Orchestration.EnvironmentRenderer.SecretFlags(app.Resource)["KEY"]);
        Assert.False(Orchestration.EnvironmentRenderer.SecretFlags(app.Resource)["LITERAL"]);
    }
}
