namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// The protocol between the AppHost and a project it gives a database: the configuration keys the AppHost sets (as environment
/// variables) and <see cref="StackTargetGuard"/> reads. Defined once here; the AppHost renders them from these names.
/// </summary>
public static class StackGuardEnvironment
{
    /// <summary>The configuration key of the stack record's path (environment variable <c>Stack__RecordPath</c>).</summary>
    public const string RecordPathKey = "Stack:RecordPath";

    /// <summary>The configuration section mapping a connection name to its database (<c>Stack__Databases__app_dev=app_dev</c>).</summary>
    public const string DatabasesSection = "Stack:Databases";

    /// <summary>Gets the environment variable that carries <see cref="RecordPathKey"/>: <c>Stack__RecordPath</c>.</summary>
    public static string RecordPathVariable { get; } = ToEnvironmentVariable(RecordPathKey);

    /// <summary>Returns the configuration key naming the database behind connection <paramref name="connectionName"/>.</summary>
    public static string DatabaseKey(string connectionName) => $"{DatabasesSection}:{connectionName}";

    /// <summary>Returns the environment variable that carries <see cref="DatabaseKey"/>: <c>Stack__Databases__&lt;connection name&gt;</c>.</summary>
    public static string DatabaseVariable(string connectionName) => ToEnvironmentVariable(DatabaseKey(connectionName));

    /// <summary>The environment-variable form of a configuration key (<c>:</c> becomes <c>__</c>), as .NET configuration reads it back.</summary>
    private static string ToEnvironmentVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
