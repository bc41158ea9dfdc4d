using System.Text.RegularExpressions;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Tests.LiteLLM;

public class LiteLLMResourceTests
{
    [Fact]
    public void LiteLLM_declares_an_http_endpoint_from_its_host_port_to_the_port_LiteLLM_listens_on()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);

        var endpoint = Assert.Single(model.LiteLLM.Resource.Annotations.OfType<EndpointAnnotation>());

        Assert.Equal(("http", "http", 14000, LiteLLMResource.DefaultTargetPort), (endpoint.Name, endpoint.Scheme, endpoint.HostPort, endpoint.TargetPort));
    }

    [Fact]
    public void The_image_is_ghcr_berriai_litellm_pinned_to_a_stable_release_tag()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var litellm = LiteLLMModel.Create(state.Path).LiteLLM.Resource;

        Assert.Equal("ghcr.io/berriai/litellm", litellm.Image);
        Assert.Matches(new Regex(@"^v\d+\.\d+\.\d+-stable$"), litellm.Tag);
    }

    [Fact]
    public void LiteLLM_is_healthy_on_its_liveliness_path_and_waits_for_its_own_database()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);

        var check = Assert.Single(model.LiteLLM.Resource.Annotations.OfType<HttpHealthCheckAnnotation>());
        var wait = Assert.Single(model.LiteLLM.Resource.Annotations.OfType<WaitAnnotation>());

        Assert.Equal(("/health/liveliness", "http", 200), (check.Path, check.EndpointName, check.StatusCode));
        Assert.Same(model.LiteLLMDb.Resource, wait.Resource);
    }

    [Fact]
    public async Task A_host_process_LiteLLM_gets_its_own_database_at_the_host_port_with_the_owner_credentials_and_its_keys()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        await using var app = model.Builder.Build();
        app.Prepare();
        var password = model.LiteLLMDb.Resource.OwnerPassword.Value;

        var env = await EnvironmentRenderer.RenderEnvironmentAsync(model.LiteLLM.Resource, NetworkContext.Host);

        Assert.Equal($"postgresql://litellm_dev_owner:{Uri.EscapeDataString(password)}@127.0.0.1:15432/litellm_dev", env["DATABASE_URL"]);
        Assert.Equal(model.LiteLLM.Resource.MasterKey.Value, env["LITELLM_MASTER_KEY"]);
        Assert.Equal(model.LiteLLM.Resource.SaltKey.Value, env["LITELLM_SALT_KEY"]);
        Assert.StartsWith("sk-", env["LITELLM_MASTER_KEY"], StringComparison.Ordinal);
        Assert.StartsWith("sk-", env["LITELLM_SALT_KEY"], StringComparison.Ordinal);
        Assert.NotEqual(env["LITELLM_MASTER_KEY"], env["LITELLM_SALT_KEY"]);
        Assert.Equal("True", env["STORE_MODEL_IN_DB"]);
        Assert.True(model.LiteLLM.Resource.MasterKey.Secret && model.LiteLLM.Resource.SaltKey.Secret);
    }

    [Fact]
    public async Task A_container_LiteLLM_gets_its_own_database_at_the_server_name_and_target_port()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        await using var app = model.Builder.Build();
        app.Prepare();
        var password = Uri.EscapeDataString(model.LiteLLMDb.Resource.OwnerPassword.Value);

        var env = await EnvironmentRenderer.RenderEnvironmentAsync(model.LiteLLM.Resource, NetworkContext.ContainerNetwork);

        Assert.Equal($"postgresql://litellm_dev_owner:{password}@postgres:5432/litellm_dev", env["DATABASE_URL"]);
    }

    [Fact]
    public async Task LiteLLM_is_started_with_its_config_file_and_the_port_it_listens_on_where_it_runs()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        var litellm = model.LiteLLM.Resource;

        var onHost = await EnvironmentRenderer.RenderArgsAsync(litellm, NetworkContext.Host);
        var inContainer = await EnvironmentRenderer.RenderArgsAsync(litellm, NetworkContext.ContainerNetwork);
        var mount = Assert.Single(litellm.Annotations.OfType<ContainerMountAnnotation>());

        Assert.Equal(["--config", Path.Combine(model.Builder.AppHostDirectory, "litellm", "config.yaml"), "--port", "14000"], onHost);
        Assert.Equal(["--config", "/app/config.yaml", "--port", LiteLLMResource.DefaultTargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], inContainer);
        Assert.Equal(litellm.ConfigFile, mount.Source);
        Assert.Equal("/app/config.yaml", mount.Target);
    }

    [Fact]
    public async Task The_salt_and_master_keys_are_generated_once_and_a_second_start_on_the_same_state_keeps_them()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var first = LiteLLMModel.Create(state.Path);
        await using (var app = first.Builder.Build())
        {
            app.Prepare();
        }

        var second = LiteLLMModel.Create(state.Path);
        await using var again = second.Builder.Build();
        again.Prepare();

        Assert.Equal(first.LiteLLM.Resource.SaltKey.Value, second.LiteLLM.Resource.SaltKey.Value);
        Assert.Equal(first.LiteLLM.Resource.MasterKey.Value, second.LiteLLM.Resource.MasterKey.Value);
        Assert.Contains(first.LiteLLM.Resource.SaltKey.Value, await File.ReadAllTextAsync(Path.Combine(state.Path, "secrets.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_runner_gets_the_host_health_url_of_LiteLLM_while_LiteLLM_runs()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path, "--LiteLLM:Runtime=executable", "--LiteLLM:Command=dotnet");
        await using var app = model.Builder.Build();
        app.Prepare();

        var env = await EnvironmentRenderer.RenderEnvironmentAsync(model.Runner.Resource, NetworkContext.Host);

        Assert.Equal("http://127.0.0.1:14000/health/liveliness", env["Migrations__WaitForHealthUrl"]);
    }

    [Fact]
    public async Task The_runner_gets_no_health_url_when_LiteLLM_is_turned_off()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path, "--LiteLLM:Runtime=off");
        await using var app = model.Builder.Build();
        app.Prepare();

        var env = await EnvironmentRenderer.RenderEnvironmentAsync(model.Runner.Resource, NetworkContext.Host);

        Assert.Null(env["Migrations__WaitForHealthUrl"]);
    }

    [Fact]
    public void Wiring_LiteLLM_to_a_second_database_is_refused_with_both_names()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);

        var error = Assert.Throws<DistributedApplicationException>(() => model.LiteLLM.WithDatabase(model.AppDb));

        Assert.Contains("'litellm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'litellm_dev'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'app_dev'", error.Message, StringComparison.Ordinal);
    }
}
