namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>The tests that share one throwaway PostgreSQL server; each creates its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}
