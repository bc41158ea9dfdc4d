using System.Reflection;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The LiteLLM stand-in (tests/LiteLLMStandIn), built with this project, and the AppHost arguments that run LiteLLM as it.</summary>
internal static class LiteLLMStandIn
{
    /// <summary>Gets the stand-in's built assembly.</summary>
    public static string AssemblyPath { get; } =
        typeof(LiteLLMStandIn).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "StackModel.LiteLLMStandIn").Value!;

    /// <summary>The AppHost arguments that run LiteLLM as the stand-in, a host process (<c>dotnet &lt;dll&gt;</c>), plus <paramref name="extra"/>.</summary>
    public static string[] Args(params string[] extra)
    {
        if (!File.Exists(AssemblyPath))
        {
            throw new InvalidOperationException(
                $"The LiteLLM stand-in is not built: expected '{AssemblyPath}'. Build tests/IntegrationTests (it references tests/LiteLLMStandIn) and run again.");
        }

        return ["--LiteLLM:Runtime=executable", "--LiteLLM:Command=dotnet", $"--LiteLLM:CommandArgs:0={AssemblyPath}", .. extra];
    }
}
