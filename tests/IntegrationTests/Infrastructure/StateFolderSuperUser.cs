using System.Text.Json;
using Npgsql;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>The superuser's address on a stack's server, from its state folder (the password in <c>secrets.json</c>), as a test connects to it.</summary>
internal static class StateFolderSuperUser
{
    /// <summary>The superuser's connection string to <paramref name="database"/> on 127.0.0.1:<paramref name="port"/>, unpooled.</summary>
    public static string ConnectionString(string stateDirectory, int port, string database)
    {
        using var secrets = JsonDocument.Parse(File.ReadAllText(Path.Combine(stateDirectory, "secrets.json")));
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Password = secrets.RootElement.GetProperty("postgres-password").GetString(),
            Database = database,
            Pooling = false,
        }.ConnectionString;
    }
}
