using System.Globalization;
using System.Security;
using System.Text;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Orchestration;

namespace StackModel.Hosting.Dashboard;

/// <summary>
/// Draws the stack's dependencies as an inline SVG (no script library; the machine may be offline): one column per depth, what a
/// resource depends on to its left. Waits are solid arrows, references dashed, parent links dotted. Nodes carry
/// <c>data-resource</c> so the page colours them by state.
/// </summary>
internal static class DependencyGraphSvg
{
    private const int NodeWidth = 180;
    private const int NodeHeight = 52;
    private const int ColumnGap = 130;
    private const int RowGap = 28;
    private const int Margin = 20;
    private const int ArcHeight = 40;

    public static string Render(IReadOnlyList<IResource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var shown = resources.Where(r => r is not ParameterResource).ToList();
        var set = new HashSet<IResource>(shown);
        var depth = new Dictionary<IResource, int>();
        int Depth(IResource r, int guard)
        {
            if (depth.TryGetValue(r, out var d))
            {
                return d;
            }

            var dependencies = DependencyGraph.DependenciesOf(r).Where(set.Contains).ToList();
            d = dependencies.Count == 0 || guard > shown.Count ? 0 : dependencies.Max(x => Depth(x, guard + 1)) + 1;
            depth[r] = d;
            return d;
        }

        foreach (var r in shown)
        {
            Depth(r, 0);
        }

        var columns = shown.GroupBy(r => depth[r]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();

        // An edge that skips a column arcs over the nodes between; leave room above for the highest arc.
        var longestSpan = shown.SelectMany(r => Edges(r).Where(e => set.Contains(e.Dependency)).Select(e => depth[r] - depth[e.Dependency])).DefaultIfEmpty(1).Max();
        var top = Margin + (longestSpan > 1 ? ArcHeight * (longestSpan - 1) : 0);
        var position = new Dictionary<IResource, (int X, int Y)>();
        for (var c = 0; c < columns.Count; c++)
        {
            for (var row = 0; row < columns[c].Count; row++)
            {
                position[columns[c][row]] = (Margin + (c * (NodeWidth + ColumnGap)), top + (row * (NodeHeight + RowGap)));
            }
        }

        var width = (Margin * 2) + Math.Max(1, columns.Count) * (NodeWidth + ColumnGap) - ColumnGap;
        var height = top + Margin + (Math.Max(1, columns.Count == 0 ? 1 : columns.Max(c => c.Count)) * (NodeHeight + RowGap)) - RowGap;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" role=\"img\" aria-label=\"Dependencies of the stack\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrow-head\"/></marker></defs>");
        foreach (var r in shown)
        {
            foreach (var (dependency, kinds) in Edges(r).Where(e => set.Contains(e.Dependency)))
            {
                var (x1, y1) = position[r];
                var (x2, y2) = position[dependency];
                var from = (X: x1, Y: y1 + (NodeHeight / 2));
                var to = (X: x2 + NodeWidth, Y: y2 + (NodeHeight / 2));
                var span = depth[r] - depth[dependency];
                var cssClass = "edge " + string.Join(' ', kinds.Select(k => "edge-" + k.Split(' ')[0]).Distinct(StringComparer.Ordinal));
                svg.Append(CultureInfo.InvariantCulture,
                    $"<g class=\"{cssClass}\" data-from=\"{Escape(r.Name)}\" data-to=\"{Escape(dependency.Name)}\"><title>{Escape(r.Name)} → {Escape(dependency.Name)}: {Escape(string.Join(", ", kinds))}</title>");
                if (span > 1)
                {
                    // Over the columns in between: leave from the top of the dependent, arrive on the top of the dependency.
                    var start = (X: x1 + (NodeWidth / 3), Y: y1);
                    var end = (X: x2 + (NodeWidth * 2 / 3), Y: y2);
                    var peak = Math.Min(start.Y, end.Y) - (ArcHeight * (span - 1)) - 10;
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<path d=\"M {start.X} {start.Y} C {start.X} {peak}, {end.X} {peak}, {end.X} {end.Y}\" marker-end=\"url(#arrow)\"/>");
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<text class=\"edge-label\" x=\"{(start.X + end.X) / 2}\" y=\"{(peak + (Math.Min(start.Y, end.Y) - peak) / 4) - 4}\" text-anchor=\"middle\">{Escape(string.Join(" + ", kinds))}</text></g>");
                    continue;
                }

                var bend = Math.Max(30, (from.X - to.X) / 2);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<path d=\"M {from.X} {from.Y} C {from.X - bend} {from.Y}, {to.X + bend} {to.Y}, {to.X} {to.Y}\" marker-end=\"url(#arrow)\"/>");
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"edge-label\" x=\"{(from.X + to.X) / 2}\" y=\"{Math.Min(from.Y, to.Y) - 6}\" text-anchor=\"middle\">{Escape(string.Join(" + ", kinds))}</text></g>");
            }
        }

        foreach (var r in shown)
        {
            var (x, y) = position[r];
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"node\" data-resource=\"{Escape(r.Name)}\" transform=\"translate({x},{y})\">");
            svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"8\" ry=\"8\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"node-name\" x=\"12\" y=\"21\">{Escape(r.Name)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"node-state\" x=\"12\" y=\"40\">{Escape(ResourceTypes.Of(r))}</text></g>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Each resource this one depends on, with how (waits for health / completion, reference, parent).</summary>
    public static IEnumerable<(IResource Dependency, IReadOnlyList<string> Kinds)> Edges(IResource resource)
    {
        var kinds = new Dictionary<IResource, List<string>>();
        void Add(IResource dependency, string kind)
        {
            if (!kinds.TryGetValue(dependency, out var list))
            {
                kinds[dependency] = list = [];
            }

            if (!list.Contains(kind))
            {
                list.Add(kind);
            }
        }

        foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
        {
            Add(wait.Resource, wait.WaitType == WaitType.WaitForCompletion ? "waits (completion)" : "waits");
        }

        foreach (var reference in resource.Annotations.OfType<ResourceReferenceAnnotation>())
        {
            Add(reference.Resource, "ref");
        }

        if (resource is IResourceWithParent child)
        {
            Add(child.Parent, "part of");
        }

        return kinds.Select(kv => (kv.Key, (IReadOnlyList<string>)kv.Value));
    }

    private static string Escape(string text) => SecurityElement.Escape(text);
}
