using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>Who owns a database in the model, and where a resource is given a database's owner credentials.</summary>
internal static class DatabaseOwnership
{
    /// <summary>The declared owners: <c>WithOwner</c> and <c>WithMigrations</c>. Empty when the database declares none.</summary>
    public static IReadOnlyList<IResource> OwnersOf(PostgresDatabaseResource database) =>
        database.Annotations.OfType<DatabaseOwnerAnnotation>().Select(a => a.Owner)
            .Concat(database.Annotations.OfType<DatabaseMigrationsAnnotation>().Select(a => a.Migrator))
            .Distinct()
            .ToArray();

    /// <summary>
    /// Where <paramref name="consumer"/> holds the owner credentials of <paramref name="database"/>: a reference (<c>WithReference</c>),
    /// environment variables or arguments whose value is built from the owner's password (its connection string, URI or properties).
    /// </summary>
    public static IReadOnlyList<string> CredentialUses(IResource consumer, PostgresDatabaseResource database)
    {
        var uses = new List<string>();
        if (consumer.Annotations.OfType<ResourceReferenceAnnotation>().Any(r => ReferenceEquals(r.Resource, database)))
        {
            uses.Add("WithReference");
        }

        var environment = new EnvironmentCallbackContext();
        foreach (var annotation in consumer.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(environment);
        }

        uses.AddRange(environment.EnvironmentVariables
            .Where(kv => kv.Value is IValueProvider provider && DependsOn(provider, database.OwnerPassword))
            .Select(kv => kv.Key)
            .Order(StringComparer.Ordinal));

        uses.AddRange(consumer.Annotations.OfType<CommandLineArgsAnnotation>()
            .SelectMany(a => a.Args)
            .OfType<IValueProvider>()
            .Where(provider => DependsOn(provider, database.OwnerPassword))
            .Select(provider => $"argument {provider.ValueExpression}"));
        return uses;
    }

    private static bool DependsOn(IValueProvider value, IValueProvider target) =>
        ReferenceEquals(value, target) || (value is ReferenceExpression expression && expression.ValueProviders.Any(v => DependsOn(v, target)));
}
