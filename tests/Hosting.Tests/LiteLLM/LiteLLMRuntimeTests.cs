using Microsoft.Extensions.DependencyInjection;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Tests.LiteLLM;

public class LiteLLMRuntimeTests
{
    [Fact]
    public async Task Auto_without_a_container_engine_or_the_command_turns_LiteLLM_off_and_names_both_remedies()
    {
        var selection = await SelectAsync("--LiteLLM:Command=litellm-not-installed-here");

        Assert.Equal(PlacementKind.Off, selection.Kind);
        Assert.Equal("auto", selection.Setting);
        Assert.Contains("'litellm'", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("Docker or Podman", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("pip install 'litellm[proxy]'", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("LiteLLM:Command", selection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_runs_the_command_as_a_host_process_when_it_is_on_PATH_and_no_engine_answers()
    {
        var selection = await SelectAsync("--LiteLLM:Command=dotnet");

        Assert.Equal(PlacementKind.Process, selection.Kind);
        Assert.Equal("dotnet", selection.Program);
        Assert.Null(selection.Problem);
    }

    [Fact]
    public async Task Auto_picks_a_container_when_an_engine_answers()
    {
        var selection = await SelectAsync(engineAnswers: true, "--LiteLLM:Command=dotnet");

        Assert.Equal(PlacementKind.Container, selection.Kind);
        Assert.Null(selection.Problem);
    }

    [Fact]
    public async Task Auto_with_an_engine_that_lacks_the_image_names_the_image_and_how_to_get_it_instead_of_asking_for_an_engine()
    {
        var missing = new ImageAvailability(false, "the image ghcr.io/berriai/litellm:v1 is not present locally and 'docker pull' failed: no such host",
            "pull it once its registry is reachable ('docker pull ghcr.io/berriai/litellm:v1'), or load a copy saved where it is present");
        var selection = await SelectAsync(new FixedProbe(answers: true, missing), "--LiteLLM:Command=litellm-not-installed-here");

        Assert.Equal(PlacementKind.Off, selection.Kind);
        Assert.StartsWith("Resource 'litellm' is turned off: a container engine answers, but the image ghcr.io/berriai/litellm:v1 is not present locally", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("'docker pull' failed: no such host", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("To run it as a container, pull it once its registry is reachable ('docker pull ghcr.io/berriai/litellm:v1')", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("pip install 'litellm[proxy]'", selection.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("start Docker or Podman", selection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Container_without_a_container_runtime_cannot_start_and_says_what_to_set_instead()
    {
        var selection = await SelectAsync("--LiteLLM:Runtime=container");

        Assert.Equal(PlacementKind.Container, selection.Kind);
        Assert.Contains("LiteLLM:Runtime=container", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("no container runtime is available", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("LiteLLM:Runtime=executable", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("LiteLLM:Runtime=off", selection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_takes_a_program_with_leading_arguments_and_extra_command_args()
    {
        var selection = await SelectAsync("--LiteLLM:Runtime=executable", "--LiteLLM:Command=dotnet /opt/standin/StackModel.LiteLLMStandIn.dll", "--LiteLLM:CommandArgs:0=--debug");

        Assert.Equal(PlacementKind.Process, selection.Kind);
        Assert.Equal("dotnet", selection.Program);
        Assert.Equal(["/opt/standin/StackModel.LiteLLMStandIn.dll", "--debug"], selection.LeadingArgs);
        Assert.Null(selection.Problem);
    }

    [Fact]
    public async Task Executable_with_a_command_that_is_not_installed_cannot_start_and_says_how_to_install_it()
    {
        var selection = await SelectAsync("--LiteLLM:Runtime=executable", "--LiteLLM:Command=litellm-not-installed-here");

        Assert.Equal(PlacementKind.Process, selection.Kind);
        Assert.Contains("'litellm-not-installed-here'", selection.Problem, StringComparison.Ordinal);
        Assert.Contains("pip install 'litellm[proxy]'", selection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_turns_LiteLLM_off_with_the_setting_as_the_reason()
    {
        var selection = await SelectAsync("--LiteLLM:Runtime=OFF");

        Assert.Equal(PlacementKind.Off, selection.Kind);
        Assert.Contains("LiteLLM:Runtime=off", selection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_runtime_is_refused_with_the_accepted_values()
    {
        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => SelectAsync("--LiteLLM:Runtime=docker"));

        Assert.Contains("'docker'", error.Message, StringComparison.Ordinal);
        Assert.Contains("auto, container, executable or off", error.Message, StringComparison.Ordinal);
    }

    private static Task<ResourcePlacement> SelectAsync(params string[] args) => SelectAsync(engineAnswers: false, args);

    private static Task<ResourcePlacement> SelectAsync(bool engineAnswers, params string[] args) => SelectAsync(new FixedProbe(engineAnswers), args);

    private static async Task<ResourcePlacement> SelectAsync(FixedProbe probe, params string[] args)
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path, args);
        model.Builder.Services.AddSingleton<IContainerEngineProbe>(probe);
        await using var app = model.Builder.Build();
        app.Prepare();
        return ResourcePlacement.Of(model.LiteLLM.Resource);
    }

    private sealed class FixedProbe(bool answers, ImageAvailability? image = null) : IContainerEngineProbe
    {
        public bool Answers() => answers;

        public ImageAvailability EnsureImage(string resourceName, string imageName) => image ?? new(true, "assumed present");
    }
}
