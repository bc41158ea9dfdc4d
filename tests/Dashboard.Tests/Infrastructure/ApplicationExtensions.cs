using StackModel.Hosting;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests.Infrastructure;

internal static class ApplicationExtensions
{
    public static string GetEndpointUrl(this DistributedApplication app, string resource) => app.GetEndpoint(resource).ToString();
}
