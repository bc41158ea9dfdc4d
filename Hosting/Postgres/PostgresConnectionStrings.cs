using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>The keyword and URI forms of a PostgreSQL connection, both from the same endpoint and credentials.</summary>
internal static class PostgresConnectionStrings
{
    public static ReferenceExpression Keyword(EndpointReference endpoint, string user, ParameterResource password, string database) =>
        ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={user};Password={password};Database={database}");

    public static ReferenceExpression Uri(EndpointReference endpoint, string user, ParameterResource password, string database) =>
        ReferenceExpression.Create(
            $"postgresql://{ReferenceExpression.Literal(user):uri}:{password:uri}@{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}/{database}");

    public static IReadOnlyList<KeyValuePair<string, ReferenceExpression>> Properties(EndpointReference endpoint, string user, ParameterResource password, string database) =>
    [
        new("HOST", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}")),
        new("PORT", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Port)}")),
        new("USERNAME", ReferenceExpression.Literal(user)),
        new("PASSWORD", ReferenceExpression.Create($"{password}")),
        new("DATABASENAME", ReferenceExpression.Literal(database)),
        new("URI", Uri(endpoint, user, password, database)),
    ];
}
