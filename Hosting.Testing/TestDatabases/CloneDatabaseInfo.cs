#pragma warning disable NPG9002 // NpgsqlDatabaseInfo is Npgsql's extension point for what a database holds (experimental): see CloneTypeCatalog.

using Npgsql.Internal;
using Npgsql.PostgresTypes;

namespace StackModel.Hosting.Testing;

/// <summary>
/// What Npgsql knows of a clone's database, copied from what it loaded for an earlier clone of the same template: the same server (version,
/// parameters) and the same types with the same oids, since a clone's catalog is a copy of its template's. A fresh instance per data source,
/// as Npgsql indexes the types of each instance it is given.
/// </summary>
internal sealed class CloneDatabaseInfo : NpgsqlDatabaseInfo
{
    private readonly NpgsqlDatabaseInfo _loaded;
    private readonly IReadOnlyList<PostgresType> _types;

    public CloneDatabaseInfo(string host, int port, string database, NpgsqlDatabaseInfo loaded, IReadOnlyList<PostgresType> types)
        : base(host, port, database, loaded.Version, loaded.ServerVersion)
    {
        _loaded = loaded;
        _types = types;
        HasIntegerDateTimes = loaded.HasIntegerDateTimes;
        SupportsTransactions = loaded.SupportsTransactions;
    }

    public override bool SupportsRangeTypes => _loaded.SupportsRangeTypes;

    public override bool SupportsMultirangeTypes => _loaded.SupportsMultirangeTypes;

    public override bool SupportsEnumTypes => _loaded.SupportsEnumTypes;

    public override bool SupportsCloseAll => _loaded.SupportsCloseAll;

    public override bool SupportsAdvisoryLocks => _loaded.SupportsAdvisoryLocks;

    public override bool SupportsDiscardSequences => _loaded.SupportsDiscardSequences;

    public override bool SupportsUnlisten => _loaded.SupportsUnlisten;

    public override bool SupportsDiscardTemp => _loaded.SupportsDiscardTemp;

    public override bool SupportsDiscard => _loaded.SupportsDiscard;

    protected override IEnumerable<PostgresType> GetTypes() => _types;
}
