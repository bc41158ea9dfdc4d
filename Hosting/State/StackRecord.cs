using System.Text.Json;
using System.Text.Json.Serialization;

namespace StackModel.Hosting.State;

/// <summary>
/// What the stack recorded about the PostgreSQL cluster it created and the databases on it (<c>stack.json</c>). Destructive
/// operations compare the server they are connected to against this record, never against the connection string that chose it.
/// </summary>
public sealed record StackRecord
{
    /// <summary>The file name inside the state folder.</summary>
    public const string FileName = "stack.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Gets the random id of this stack, also stored inside the cluster (setting <c>stackmodel.stack_id</c>).</summary>
    public required string StackId { get; init; }

    /// <summary>Gets the runtime that created the cluster: <c>process</c> or <c>container</c>.</summary>
    public required string Runtime { get; init; }

    /// <summary>Gets when the cluster was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets the cluster's <c>system_identifier</c> (shared by copies of its data folder, hence <see cref="StackId"/>).</summary>
    public string? SystemIdentifier { get; init; }

    /// <summary>Gets when the server was last started by the stack (<c>pg_postmaster_start_time()</c>); a copy started elsewhere differs.</summary>
    public DateTimeOffset? PostmasterStartTime { get; init; }

    /// <summary>Gets the host port the stack published the server on.</summary>
    public int HostPort { get; init; }

    /// <summary>Gets the port the server itself listens on (<c>inet_server_port()</c>): the host port for a process, 5432 in a container.</summary>
    public int ServerPort { get; init; }

    /// <summary>Gets the databases the stack created.</summary>
    public IReadOnlyList<DatabaseRecord> Databases { get; init; } = [];

    /// <summary>Reads a record, or returns <see langword="null"/> when the file does not exist.</summary>
    /// <exception cref="DistributedApplicationException">The file exists but cannot be read.</exception>
    public static StackRecord? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StackRecord>(File.ReadAllText(path), Json)
                ?? throw new JsonException("the file is empty");
        }
        catch (JsonException ex)
        {
            throw new DistributedApplicationException(
                $"The stack record '{path}' is corrupt ({ex.Message}). It was left untouched. Restore it, or stop the AppHost and delete the state folder to start over (this deletes the stack's data).", ex);
        }
    }

    internal void Write(string path)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}
