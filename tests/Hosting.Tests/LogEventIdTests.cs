using System.Reflection;
using Microsoft.Extensions.Logging;

namespace StackModel.Hosting.Tests;

/// <summary>The AppHost's log event ids are one table (<c>Hosting/LogEvents.cs</c>) and never repeat.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_of_the_AppHost_is_unique_and_declared_in_LogEvents()
    {
        var messages = typeof(DistributedApplication).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToArray();
        var table = typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

        Assert.NotEmpty(messages);
        var repeated = messages.GroupBy(x => x.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}"))}");
        Assert.Empty(repeated);
        Assert.Empty(table.GroupBy(kv => kv.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(kv => kv.Key))}"));
        var undeclared = messages.Where(x => !table.ContainsValue(x.Attribute!.EventId)).Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name} ({x.Attribute!.EventId})");
        Assert.Empty(undeclared);
        var unused = table.Where(kv => !messages.Any(x => x.Attribute!.EventId == kv.Value)).Select(kv => kv.Key);
        Assert.Empty(unused);
    }
}
