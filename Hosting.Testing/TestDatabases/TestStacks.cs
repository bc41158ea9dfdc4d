using System.Runtime.CompilerServices;

namespace StackModel.Hosting.Testing;

/// <summary>The applications the testing builder built: only they hand out test databases, so nothing of a developer's own stack is ever cloned or dropped.</summary>
internal static class TestStacks
{
    private static readonly ConditionalWeakTable<DistributedApplication, StrongBox<bool>> Built = [];

    /// <param name="app">The test stack.</param>
    /// <param name="clusterGoesWithIt">Whether its cluster is deleted when it is disposed (a state folder of the builder's own).</param>
    public static void Add(DistributedApplication app, bool clusterGoesWithIt = false) => Built.AddOrUpdate(app, new StrongBox<bool>(clusterGoesWithIt));

    public static bool Contains(DistributedApplication app) => Built.TryGetValue(app, out _);

    /// <summary>Whether <paramref name="app"/>'s cluster is deleted with it, so test databases still waiting for their drop need none.</summary>
    public static bool ClusterGoesWith(DistributedApplication app) => Built.TryGetValue(app, out var box) && box.Value;
}
