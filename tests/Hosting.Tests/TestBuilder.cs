using StackModel.Hosting;
using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Tests;

/// <summary>Builds models without starting anything: parameters get fixed values so expressions render.</summary>
internal static class TestBuilder
{
    public static IDistributedApplicationBuilder Create() =>
        new DistributedApplicationBuilder([], appHostAssembly: null);

    public static void ResolveParameters(IDistributedApplicationBuilder builder, string value = "p@ss:w/rd")
    {
        foreach (var parameter in builder.Resources.OfType<ParameterResource>())
        {
            parameter.SetValue(value);
        }
    }
}
