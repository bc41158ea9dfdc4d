using System.Runtime.CompilerServices;

namespace StackModel.Hosting.Testing;

/// <summary>The applications the testing builder built: only they hand out test databases, so nothing of a developer's own stack is ever cloned or dropped.</summary>
internal static class TestStacks
{
    private static readonly ConditionalWeakTable<DistributedApplication, object> Built = [];

    public static void Add(DistributedApplication app) => Built.AddOrUpdate(app, Built);

    public static bool Contains(DistributedApplication app) => Built.TryGetValue(app, out _);
}
