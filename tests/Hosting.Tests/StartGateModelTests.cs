using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Tests;

public sealed class StartGateModelTests
{
    [Fact]
    public void WithStartGate_marks_the_project_once()
    {
        var builder = TestBuilder.Create();
        var project = builder.AddProject<SomeProject>("migrations");

        project.WithStartGate().WithStartGate();

        Assert.Single(project.Resource.Annotations.OfType<StartGateAnnotation>());
    }

    private sealed class SomeProject : IProjectMetadata
    {
        public string ProjectPath => "/src/Some/Some.csproj";

        public string AssemblyPath => "/src/Some/bin/Some.dll";
    }
}
