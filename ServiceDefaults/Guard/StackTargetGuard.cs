using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace StackModel.ServiceDefaults.Guard;

/// <summary>
/// Proves, before anything destructive, that a connection reached the stack's own server and database: <c>current_database()</c>,
/// the database's owner and oid, <c>inet_server_port()</c> and the cluster's identity (system identifier, stack id, postmaster
/// start time) must equal what the stack recorded in its <see cref="StackRecord"/>. The expected side never comes from the
/// connection string that chose the server.
/// </summary>
/// <remarks>
/// A project given a database with <c>WithReference</c> in the AppHost receives <c>Stack__RecordPath</c> (the record) and
/// <c>Stack__Databases__&lt;connection name&gt;</c> (the database), which <see cref="VerifyAsync(NpgsqlConnection, IConfiguration, string, CancellationToken)"/> reads.
/// </remarks>
public static class StackTargetGuard
{
    /// <summary>The configuration key of the stack record's path (environment variable <c>Stack__RecordPath</c>).</summary>
    public const string RecordPathKey = StackGuardEnvironment.RecordPathKey;

    /// <summary>The configuration section mapping a connection name to its database (<c>Stack__Databases__app_dev=app_dev</c>).</summary>
    public const string DatabasesSection = StackGuardEnvironment.DatabasesSection;

    /// <summary>Gets a value indicating whether the AppHost gave this process a stack record to verify against.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[RecordPathKey]);
    }

    /// <summary>
    /// Reads the stack record named by <c>Stack:RecordPath</c> once and discards it, when there is one. A process held at its
    /// start gate calls it before the gate opens, so that the check after the gate costs a file read instead of the JSON
    /// serializer's first use in the process (tens of milliseconds). The check reads the record again: the AppHost rewrites
    /// it on every start. Never throws; a missing or corrupt record is reported by the check itself.
    /// </summary>
    /// <param name="configuration">The process's configuration.</param>
    public static void Preload(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[RecordPathKey] is { Length: > 0 } recordPath)
        {
            try
            {
                _ = StackRecord.TryRead(recordPath);
            }
            catch (StackGuardException)
            {
                // Reported by VerifyAsync.
            }
        }
    }

    /// <summary>
    /// Verifies <paramref name="connection"/> against the record named by configuration: <c>Stack:RecordPath</c>, and the database
    /// <c>Stack:Databases:&lt;connectionName&gt;</c> (or <paramref name="connectionName"/> itself when that key is absent).
    /// </summary>
    /// <returns>What the connection reached, equal to the record.</returns>
    /// <exception cref="StackGuardException"><c>Stack:RecordPath</c> is not set, or the record is missing or unreadable.</exception>
    /// <exception cref="TargetMismatchException">The connection reached another server, cluster or database.</exception>
    public static Task<ServerIdentity> VerifyAsync(NpgsqlConnection connection, IConfiguration configuration, string connectionName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var recordPath = configuration[RecordPathKey];
        if (string.IsNullOrWhiteSpace(recordPath))
        {
            throw new StackGuardException(
                $"{RecordPathKey} is not set, so the target of connection '{connectionName}' cannot be proven. " +
                $"Run this project from the AppHost (dotnet run --project AppHost), which sets {StackGuardEnvironment.RecordPathVariable} for every project given a database with WithReference.");
        }

        var database = configuration[StackGuardEnvironment.DatabaseKey(connectionName)];
        return VerifyAsync(connection, StackRecord.Read(recordPath), string.IsNullOrWhiteSpace(database) ? connectionName : database, recordPath, cancellationToken);
    }

    /// <summary>Verifies that <paramref name="connection"/> reached database <paramref name="databaseResourceOrName"/> of the stack that wrote <paramref name="record"/>.</summary>
    /// <param name="connection">An open connection, as any role; inside the transaction that will do the destructive work, ideally.</param>
    /// <param name="record">The stack record (<see cref="StackRecord.Read"/>).</param>
    /// <param name="databaseResourceOrName">The database's resource name or PostgreSQL name, as recorded.</param>
    /// <param name="recordPath">Where <paramref name="record"/> was read from, shown in messages.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>What the connection reached, equal to the record.</returns>
    /// <exception cref="StackGuardException">The record holds no such database.</exception>
    /// <exception cref="TargetMismatchException">The connection reached another server, cluster or database.</exception>
    public static async Task<ServerIdentity> VerifyAsync(NpgsqlConnection connection, StackRecord record, string databaseResourceOrName, string recordPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordPath);
        var expected = record.GetDatabase(databaseResourceOrName, recordPath);
        var actual = await ServerIdentity.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        Check(record, expected, actual, recordPath, $"database '{expected.Resource}'");
        return actual;
    }

    /// <summary>
    /// Verifies that <paramref name="connection"/> (to any database, e.g. the maintenance database <c>postgres</c> as superuser)
    /// reached the server and cluster of the stack that wrote <paramref name="record"/>, without checking the database.
    /// </summary>
    /// <exception cref="TargetMismatchException">The connection reached another server or cluster.</exception>
    public static async Task<ServerIdentity> VerifyServerAsync(NpgsqlConnection connection, StackRecord record, string recordPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrWhiteSpace(recordPath);
        var actual = await ServerIdentity.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        Check(record, expected: null, actual, recordPath, "the stack's server");
        return actual;
    }

    private static void Check(StackRecord record, DatabaseRecord? expected, ServerIdentity actual, string recordPath, string target)
    {
        var rows = new List<(string Field, string Expected, string Actual, bool Matches)>();
        void Row(string field, string? expectedValue, string? actualValue, bool? matches = null)
        {
            expectedValue ??= "(not recorded)";
            actualValue ??= "(none)";
            rows.Add((field, expectedValue, actualValue, matches ?? string.Equals(expectedValue, actualValue, StringComparison.Ordinal)));
        }

        if (expected is not null)
        {
            Row("database", expected.DatabaseName, actual.Database);
            Row("database owner", expected.OwnerRole, actual.DatabaseOwner);
            if (expected.Oid is { } oid)
            {
                Row("database oid", Invariant(oid), Invariant(actual.DatabaseOid));
            }
        }

        Row("server port", Invariant(record.ServerPort), actual.ServerPort == 0 ? "(unix socket)" : Invariant(actual.ServerPort));
        Row("system identifier", record.SystemIdentifier, actual.SystemIdentifier);
        Row("stack id", record.StackId, actual.StackId);
        Row("postmaster start", Format(record.PostmasterStartTime), Format(actual.PostmasterStartTime),
            record.PostmasterStartTime is { } start && start.UtcTicks == actual.PostmasterStartTime.UtcTicks);

        var mismatched = rows.Where(r => !r.Matches).Select(r => r.Field).ToArray();
        if (mismatched.Length == 0)
        {
            return;
        }

        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Refusing to touch {target}: the connection reached {Diagnose(record, actual, mismatched)}. Nothing was changed.")
            .AppendLine();
        var width = rows.Max(r => r.Field.Length);
        var expectedWidth = Math.Max("expected".Length, rows.Max(r => r.Expected.Length));
        message.Append(CultureInfo.InvariantCulture, $"  {"field".PadRight(width)}  {"expected".PadRight(expectedWidth)}  actual").AppendLine();
        foreach (var (field, expectedValue, actualValue, matches) in rows)
        {
            message.Append(CultureInfo.InvariantCulture, $"  {field.PadRight(width)}  {expectedValue.PadRight(expectedWidth)}  {actualValue}{(matches ? string.Empty : "   <-- differs")}").AppendLine();
        }

        message
            .Append(CultureInfo.InvariantCulture, $"The expected values come from the stack record '{recordPath}', which the AppHost writes each time it starts its server.")
            .AppendLine()
            .Append(Fix(mismatched));
        throw new TargetMismatchException(message.ToString(), actual, recordPath, mismatched);
    }

    private static string Diagnose(StackRecord record, ServerIdentity actual, string[] mismatched)
    {
        if (!string.Equals(record.SystemIdentifier, actual.SystemIdentifier, StringComparison.Ordinal) || !string.Equals(record.StackId, actual.StackId, StringComparison.Ordinal))
        {
            return "a PostgreSQL cluster this stack did not create";
        }

        if (mismatched.Contains("postmaster start") || mismatched.Contains("server port"))
        {
            return "a server started from a copy of the stack's data folder, or the stack's server started outside the AppHost";
        }

        return "another database than the one the stack recorded";
    }

    private static string Fix(string[] mismatched) =>
        mismatched.All(f => f is "postmaster start")
            ? "Fix: if the stack's own server was restarted by hand, stop it and start the stack with dotnet run --project AppHost (which records the new start); otherwise connect with the address the AppHost derives (dotnet run --project AppHost -- env), not a hand-written one."
            : "Fix: connect with the address the AppHost derives (dotnet run --project AppHost -- env, or .env.stack), not a hand-written one; check which server listens on the port.";

    private static string Format(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff 'UTC'", CultureInfo.InvariantCulture) ?? "(not recorded)";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
