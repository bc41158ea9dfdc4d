using System.Text.Json;

namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// What the stack recorded about the PostgreSQL cluster it created and the databases on it (<c>stack.json</c> in the state
/// folder, rewritten on every start of the server). Destructive operations compare the server they are connected to against
/// this record (<see cref="StackTargetGuard"/>), never against the connection string that chose it.
/// </summary>
/// <remarks>
/// What tells servers apart: another cluster has another <see cref="SystemIdentifier"/> and no <see cref="StackId"/>; a copy of
/// the stack's data folder keeps both, but runs under another <see cref="PostmasterStartTime"/> (and usually another port);
/// each database is checked by name, owner role and oid.
/// </remarks>
public sealed record StackRecord
{
    /// <summary>The file name inside the state folder.</summary>
    public const string FileName = "stack.json";

    /// <summary>Gets the random id of this stack, also stored inside the cluster (setting <c>stackmodel.stack_id</c>).</summary>
    public required string StackId { get; init; }

    /// <summary>Gets the runtime that created the cluster: <c>process</c> or <c>container</c>.</summary>
    public required string Runtime { get; init; }

    /// <summary>
    /// Gets the named volume that holds the cluster, when the container runtime created it (<c>&lt;stack&gt;-&lt;id of the state
    /// folder&gt;-&lt;server&gt;-data</c>). <see langword="null"/> for a process cluster, and in a record written before volume names
    /// carried the state folder's id: that cluster's volume is <c>&lt;stack&gt;-&lt;server&gt;-data</c>.
    /// </summary>
    public string? ContainerVolume { get; init; }

    /// <summary>Gets when the cluster was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets the cluster's <c>system_identifier</c> (shared by copies of its data folder, hence <see cref="StackId"/> and <see cref="PostmasterStartTime"/>).</summary>
    public string? SystemIdentifier { get; init; }

    /// <summary>Gets when the server was last started by the stack (<c>pg_postmaster_start_time()</c>); a copy started elsewhere differs.</summary>
    public DateTimeOffset? PostmasterStartTime { get; init; }

    /// <summary>Gets the host port the stack published the server on.</summary>
    public int HostPort { get; init; }

    /// <summary>Gets the port the server itself listens on (<c>inet_server_port()</c>): the host port for a process, 5432 in a container.</summary>
    public int ServerPort { get; init; }

    /// <summary>Gets the databases the stack created.</summary>
    public IReadOnlyList<DatabaseRecord> Databases { get; init; } = [];

    /// <summary>Reads the record at <paramref name="path"/>.</summary>
    /// <exception cref="StackGuardException">The file does not exist (the stack has not created its cluster yet) or cannot be read.</exception>
    public static StackRecord Read(string path) =>
        TryRead(path) ?? throw new StackGuardException(
            $"There is no stack record at '{path}': the stack has not created its cluster yet. Start it with dotnet run --project AppHost " +
            "(or, in a test, start the test stack first), then try again.");

    /// <summary>Reads the record at <paramref name="path"/>, or returns <see langword="null"/> when the file does not exist.</summary>
    /// <exception cref="StackGuardException">The file exists but cannot be read or parsed.</exception>
    public static StackRecord? TryRead(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            return JsonSerializer.Deserialize(File.ReadAllText(path), StackRecordJsonContext.Default.StackRecord)
                ?? throw new JsonException("the file is empty");
        }
        catch (JsonException ex)
        {
            throw new StackGuardException(
                $"The stack record '{path}' is corrupt ({ex.Message}). It records which PostgreSQL cluster is this stack's (every destructive operation is checked " +
                "against it), so nothing was done and the file was left untouched. Restore it from a backup or undo the edit; or, to start over with an empty stack, " +
                $"stop the AppHost and delete the state folder '{Path.GetDirectoryName(Path.GetFullPath(path))}' (this deletes the stack's data).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StackGuardException(
                $"The stack record '{path}' cannot be read ({ex.Message}). Give this user read access to it, or run as the user that runs the AppHost.", ex);
        }
    }

    /// <summary>Finds a database by its resource name or its PostgreSQL name.</summary>
    /// <exception cref="StackGuardException">The record holds no such database; the message lists those it holds.</exception>
    public DatabaseRecord GetDatabase(string resourceOrDatabaseName, string recordPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceOrDatabaseName);
        return Databases.FirstOrDefault(d => string.Equals(d.Resource, resourceOrDatabaseName, StringComparison.Ordinal))
            ?? Databases.FirstOrDefault(d => string.Equals(d.DatabaseName, resourceOrDatabaseName, StringComparison.Ordinal))
            ?? throw new StackGuardException(
                $"The stack record '{recordPath}' holds no database '{resourceOrDatabaseName}'; it holds {(Databases.Count == 0 ? "none" : string.Join(", ", Databases.Select(d => $"'{d.Resource}'")))}. " +
                "Name a database declared in AppHost/Program.cs, and start the stack once after declaring it so it is created and recorded.");
    }

    /// <summary>Writes the record atomically (a reader never sees half a file).</summary>
    internal void Write(string path)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, JsonSerializer.Serialize(this, StackRecordJsonContext.Default.StackRecord));
        File.Move(temp, path, overwrite: true);
    }
}
