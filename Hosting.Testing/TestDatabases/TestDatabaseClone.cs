namespace StackModel.Hosting.Testing;

/// <summary>A clone of the template, ready to be handed out: its name and its oid, which the guard checks.</summary>
internal sealed record TestDatabaseClone(string Name, long Oid);
