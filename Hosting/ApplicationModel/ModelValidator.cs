namespace StackModel.Hosting.ApplicationModel;

/// <summary>Refuses a stack declaration that cannot run, with one line per problem saying what to change.</summary>
internal static class ModelValidator
{
    public static void Validate(IReadOnlyList<IResource> resources, IEnumerable<IModelRule> rules)
    {
        var problems = new List<string>();

        foreach (var group in resources.GroupBy(r => ResourceNames.ToEnvironmentPrefix(r.Name), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"Resource name '{group.First().Name}' is declared {group.Count()} times ({string.Join(", ", group.Select(r => $"'{r.Name}'"))}); names must be unique, also ignoring case and '-' versus '_'. Rename one.");
        }

        var declared = new HashSet<IResource>(resources);
        foreach (var resource in resources)
        {
            foreach (var reference in resource.Annotations.OfType<ResourceReferenceAnnotation>().Select(a => a.Resource)
                         .Concat(resource.Annotations.OfType<WaitAnnotation>().Select(a => a.Resource)))
            {
                if (!declared.Contains(reference))
                {
                    problems.Add($"Resource '{resource.Name}' references '{reference.Name}', which is not declared in this stack. Add it with the same builder, or remove the reference.");
                }
            }
        }

        var endpoints = resources.OfType<IResourceWithEndpoints>()
            .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Select(e => (Resource: r, Endpoint: e)));
        foreach (var group in endpoints.GroupBy(x => x.Endpoint.HostPort).Where(g => g.Count() > 1))
        {
            problems.Add($"Host port {group.Key} is declared by more than one endpoint ({string.Join(", ", group.Select(x => $"'{x.Resource.Name}' endpoint '{x.Endpoint.Name}'"))}). Give each endpoint its own port.");
        }

        if (Orchestration.DependencyGraph.FindWaitCycle(resources) is { } cycle)
        {
            problems.Add($"The waits form a cycle: {string.Join(" → ", cycle)}. Nothing in a cycle could ever start; remove one of these WaitFor calls.");
        }

        foreach (var rule in rules)
        {
            problems.AddRange(rule.Check(resources));
        }

        if (problems.Count > 0)
        {
            throw new DistributedApplicationException(
                $"The stack declaration is not valid ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}" +
                string.Join(Environment.NewLine, problems.Select(p => " - " + p)));
        }
    }
}
