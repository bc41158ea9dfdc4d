namespace StackModel.ServiceDefaults.Guard;

/// <summary>One database the stack created, as recorded in <c>stack.json</c>.</summary>
/// <param name="Resource">The resource name in the AppHost.</param>
/// <param name="DatabaseName">The database name in PostgreSQL (<c>current_database()</c>).</param>
/// <param name="OwnerRole">The login role that owns it (<c>pg_database.datdba</c>).</param>
/// <param name="Oid">
/// The database's oid in its cluster, or <see langword="null"/> in a record written before it was kept. A database dropped and
/// created again by anything but the stack gets another oid.
/// </param>
public sealed record DatabaseRecord(string Resource, string DatabaseName, string OwnerRole, long? Oid = null);
