using System.Xml.Linq;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Dashboard;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Testing;

namespace StackModel.Dashboard.Tests;

public class DependencyGraphSvgTests
{
    [Fact]
    public async Task The_graph_draws_every_resource_once_with_waits_references_and_parents_as_edges()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>();
        var model = builder.Resources.Where(r => r is not ParameterResource).ToList();

        var svg = XDocument.Parse(DependencyGraphSvg.Render(builder.Resources.ToList()));

        XNamespace ns = "http://www.w3.org/2000/svg";
        var nodes = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "node").Select(g => (string?)g.Attribute("data-resource")).ToList();
        Assert.Equal(model.Select(r => r.Name).Order(), nodes.Order());
        var edges = svg.Descendants(ns + "g").Where(g => ((string?)g.Attribute("class"))?.StartsWith("edge", StringComparison.Ordinal) == true)
            .ToDictionary(g => $"{g.Attribute("data-from")!.Value}->{g.Attribute("data-to")!.Value}", g => g.Attribute("class")!.Value);
        Assert.Equal("edge edge-waits edge-ref", edges["migrations->app_dev"]);
        Assert.Equal("edge edge-part", edges["app_dev->postgres"]);
        Assert.Equal("edge edge-part", edges["litellm_dev->postgres"]);
        Assert.DoesNotContain(edges.Keys, k => k.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Names_are_escaped_in_the_svg()
    {
        var resource = new ExecutableResource("a-b", "sleep", ".");

        var svg = DependencyGraphSvg.Render([resource]);

        Assert.NotNull(XDocument.Parse(svg));
        Assert.Contains("data-resource=\"a-b\"", svg, StringComparison.Ordinal);
    }
}
