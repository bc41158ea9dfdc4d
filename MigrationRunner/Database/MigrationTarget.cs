namespace StackModel.MigrationRunner.Database;

/// <summary>
/// The database the stack expects the runner to migrate, as the AppHost's model records it: the database name and
/// the port the PostgreSQL server listens on (<c>inet_server_port()</c>, the target port inside a container).
/// </summary>
/// <param name="Database">Expected <c>current_database()</c>, or <see langword="null"/> when not given.</param>
/// <param name="ServerPort">Expected <c>inet_server_port()</c>, or <see langword="null"/> when not given.</param>
/// <param name="Role">Expected <c>current_user</c> (a compose file gives the migrator role), or <see langword="null"/> when not given.</param>
internal sealed record MigrationTarget(string? Database, int? ServerPort, string? Role = null)
{
    /// <summary>Gets a value indicating whether the configuration gave anything to verify.</summary>
    public bool IsSpecified => Database is not null || ServerPort is not null || Role is not null;
}
