using System.Reflection;
using Microsoft.Extensions.Logging;

namespace StackModel.MigrationRunner.Tests;

/// <summary>The runner's log event ids are one table (<c>Logging/Log.cs</c>) and never repeat: dashboards and tests match on them.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_of_the_runner_is_unique_and_declared_in_its_log_table()
    {
        var messages = typeof(MigrationWorker).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToArray();

        Assert.NotEmpty(messages);
        var repeated = messages.GroupBy(x => x.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}"))}");
        Assert.Empty(repeated);
        Assert.All(messages, x => Assert.Equal("Log", x.Method.DeclaringType!.Name));
    }
}
