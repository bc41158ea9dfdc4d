#pragma warning disable NPG9001, NPG9002 // INpgsqlDatabaseInfoFactory and NpgsqlDatabaseInfo are Npgsql's extension point for loading what a database holds (experimental).

using System.Collections.Concurrent;
using Npgsql.Internal;
using Npgsql.Util;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Spares each pooled clone Npgsql's type loading: a new data source's first connection asks the server for every type of its database (a
/// large catalog query that a brand-new backend on a brand-new database plans and runs from cold caches, and that Npgsql then parses), which
/// was about a third of an isolated test's CPU (README, "Testing your app"). Clones of one template hold the same types under the same oids
/// (their catalogs are copies), so the types Npgsql loaded for the first clone serve the others.
/// </summary>
/// <remarks>
/// Registered once per process with Npgsql (<see cref="NpgsqlDatabaseInfo.RegisterFactory"/>), it answers only for a database the pool
/// said it is about to open with a data source of its own (<see cref="Expect"/>), and only for that data source's first load: anything else,
/// a later <c>ReloadTypes()</c> on a clone included, is loaded by Npgsql as always.
/// </remarks>
internal sealed class CloneTypeCatalog : INpgsqlDatabaseInfoFactory
{
    private static readonly ConcurrentDictionary<(int Port, string Database), CloneTypeFamily> Expected = new();
    private static int _registered;

    private CloneTypeCatalog()
    {
    }

    /// <summary>Says that the next type load for <paramref name="database"/> on <paramref name="port"/> is the pool's own data source's first.</summary>
    /// <returns>The key to <see cref="Forget"/> once that data source's first connection is open (or failed).</returns>
    public static (int Port, string Database) Expect(int port, string database, CloneTypeFamily family)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NpgsqlDatabaseInfo.RegisterFactory(new CloneTypeCatalog());
        }

        var key = (port, database);
        Expected[key] = family;
        return key;
    }

    public static void Forget((int Port, string Database) key) => Expected.TryRemove(key, out _);

    public Task<NpgsqlDatabaseInfo?> Load(NpgsqlConnector conn, NpgsqlTimeout timeout, bool async)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var settings = conn.Settings;
        return Task.FromResult(settings.Database is { } database && Expected.TryRemove((settings.Port, database), out var family)
            ? family.InfoFor(conn)
            : null);
    }
}
