using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Orchestration;

/// <summary>What each resource depends on (waits, references, parent), and a start order that respects it.</summary>
internal static class DependencyGraph
{
    public static IEnumerable<IResource> DependenciesOf(IResource resource)
    {
        foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
        {
            yield return wait.Resource;
        }

        foreach (var reference in resource.Annotations.OfType<ResourceReferenceAnnotation>())
        {
            yield return reference.Resource;
        }

        if (resource is IResourceWithParent child)
        {
            yield return child.Parent;
        }
    }

    /// <summary>Orders resources so that each comes after what it depends on (declaration order otherwise).</summary>
    public static IReadOnlyList<IResource> StartOrder(IReadOnlyList<IResource> resources)
    {
        var order = new List<IResource>();
        var visited = new HashSet<IResource>();
        void Visit(IResource resource)
        {
            if (!visited.Add(resource))
            {
                return;
            }

            foreach (var dependency in DependenciesOf(resource))
            {
                Visit(dependency);
            }

            order.Add(resource);
        }

        foreach (var resource in resources)
        {
            Visit(resource);
        }

        return order;
    }

    /// <summary>Returns a wait cycle as a list of names (first repeated at the end), or <see langword="null"/>.</summary>
    public static IReadOnlyList<string>? FindWaitCycle(IReadOnlyList<IResource> resources)
    {
        var state = new Dictionary<IResource, int>();
        var path = new List<IResource>();
        IReadOnlyList<string>? Visit(IResource resource)
        {
            state[resource] = 1;
            path.Add(resource);
            foreach (var next in resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource).Concat(resource is IResourceWithParent p ? [p.Parent] : []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var start = path.IndexOf(next);
                    return [.. path.Skip(start).Select(r => r.Name), next.Name];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[resource] = 2;
            return null;
        }

        foreach (var resource in resources)
        {
            if (state.GetValueOrDefault(resource) == 0 && Visit(resource) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
