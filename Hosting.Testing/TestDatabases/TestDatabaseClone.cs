using Npgsql;

namespace StackModel.Hosting.Testing;

/// <summary>A clone of the template, ready to be handed out: its name, its oid (which the guard checks), and for a pooled clone its warm data source.</summary>
/// <param name="Name">The database's name.</param>
/// <param name="Oid">Its oid.</param>
/// <param name="DataSource">
/// A data source for the runtime role holding one open connection to it, made by the pool in the background: a new database's first
/// connection (a server process, authentication, its catalog caches) is most of what a test would otherwise wait for.
/// </param>
internal sealed record TestDatabaseClone(string Name, long Oid, NpgsqlDataSource? DataSource = null);
