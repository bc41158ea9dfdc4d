#pragma warning disable NPG9001, NPG9002 // Npgsql's extension point for what a database holds (experimental): see CloneTypeCatalog.

using Npgsql.Internal;
using Npgsql.PostgresTypes;

namespace StackModel.Hosting.Testing;

/// <summary>
/// The types of one template's clones, as Npgsql loaded them for the first clone the pool opened (<see cref="CloneTypeCatalog"/>): until
/// they are learned every clone's data source loads its own; afterwards each gets a copy.
/// </summary>
internal sealed class CloneTypeFamily
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NpgsqlConnector> _loaders = new(StringComparer.Ordinal);
    private NpgsqlDatabaseInfo? _loaded;
    private List<PostgresType>? _types;
    private int _served;

    /// <summary>Gets whether the types are learned.</summary>
    public bool Learned
    {
        get
        {
            lock (_lock)
            {
                return _types is not null;
            }
        }
    }

    /// <summary>Gets how many data sources got their types from here instead of loading them.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>
    /// Learns the types Npgsql loaded for <paramref name="database"/>, a clone of this template whose data source's first connection
    /// just opened: each oid of <paramref name="oids"/> (every type of that clone) that Npgsql knows.
    /// </summary>
    public void Learn(string database, IEnumerable<uint> oids)
    {
        lock (_lock)
        {
            // That very connector's load, which is over: another one's may be under way (its types so far only the built-in ones).
            if (_types is not null || !_loaders.Remove(database, out var loader) || loader.DatabaseInfo is not { } loaded)
            {
                return;
            }

            var types = new List<PostgresType>();
            foreach (var oid in oids)
            {
                try
                {
                    types.Add(loaded.GetPostgresType(oid));
                }
                catch (ArgumentException)
                {
                    // A type Npgsql does not load (a table's row type, a pseudo-type): it does not know it for any clone either.
                }
            }

            (_loaded, _types) = (loaded, types);
            _loaders.Clear();
        }
    }

    /// <summary>Forgets the connector that loaded the types of <paramref name="database"/>, a clone gone before its types were learned from it.</summary>
    public void Forget(string database)
    {
        lock (_lock)
        {
            _loaders.Remove(database);
        }
    }

    /// <summary>The types for <paramref name="connector"/>'s first load, or <see langword="null"/> (not learned yet: Npgsql loads them, and they are learned from it).</summary>
    internal NpgsqlDatabaseInfo? InfoFor(NpgsqlConnector connector)
    {
        lock (_lock)
        {
            var settings = connector.Settings;
            if (_types is null || _loaded is null)
            {
                _loaders[settings.Database ?? string.Empty] = connector;
                return null;
            }

            Interlocked.Increment(ref _served);
            return new CloneDatabaseInfo(settings.Host ?? string.Empty, settings.Port, settings.Database ?? string.Empty, _loaded, _types);
        }
    }
}
