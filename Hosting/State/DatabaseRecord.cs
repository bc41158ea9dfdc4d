namespace StackModel.Hosting.State;

/// <summary>One database the stack created.</summary>
/// <param name="Resource">The resource name in the AppHost.</param>
/// <param name="DatabaseName">The database name in PostgreSQL.</param>
/// <param name="OwnerRole">The login role that owns it.</param>
public sealed record DatabaseRecord(string Resource, string DatabaseName, string OwnerRole);
