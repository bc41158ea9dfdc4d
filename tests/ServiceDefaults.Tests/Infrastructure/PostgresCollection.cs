namespace StackModel.ServiceDefaults.Tests.Infrastructure;

/// <summary>The tests that share one throwaway PostgreSQL cluster (each in its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}
