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
    /// Where <paramref name="consumer"/> holds credentials of <paramref name="database"/>: a reference (<c>WithReference</c>, when
    /// <paramref name="includeReference"/>), environment variables or arguments whose value is built from one of <paramref name="passwords"/>
    /// (a connection string, URI or properties).
    /// </summary>
    public static IReadOnlyList<string> CredentialUses(IResource consumer, PostgresDatabaseResource database, IReadOnlyList<IValueProvider> passwords, bool includeReference)
    {
        var uses = new List<string>();
        if (includeReference && consumer.Annotations.OfType<ResourceReferenceAnnotation>().Any(r => ReferenceEquals(r.Resource, database)))
        {
            uses.Add("WithReference");
        }

        var environment = new EnvironmentCallbackContext();
        foreach (var annotation in consumer.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(environment);
        }

        uses.AddRange(environment.EnvironmentVariables
            .Where(kv => kv.Value is IValueProvider provider && passwords.Any(p => DependsOn(provider, p)))
            .Select(kv => kv.Key)
            .Order(StringComparer.Ordinal));

        uses.AddRange(consumer.Annotations.OfType<CommandLineArgsAnnotation>()
            .SelectMany(a => a.Args)
            .OfType<IValueProvider>()
            .Where(provider => passwords.Any(p => DependsOn(provider, p)))
            .Select(provider => $"argument {provider.ValueExpression}"));
        return uses;
    }

    /// <summary>Every password of the database: the owner's (migrator's) and, once a migration system is declared, the runtime role's.</summary>
    public static IReadOnlyList<IValueProvider> PasswordsOf(PostgresDatabaseResource database) =>
        database.RuntimePassword is { } runtime ? [database.OwnerPassword, runtime] : [database.OwnerPassword];

    private static bool DependsOn(IValueProvider value, IValueProvider target) =>
        ReferenceEquals(value, target) || (value is ReferenceExpression expression && expression.ValueProviders.Any(v => DependsOn(v, target)));
}
