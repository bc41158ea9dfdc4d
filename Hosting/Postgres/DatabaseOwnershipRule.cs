using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// Refuses a stack in which a program that is not a database's declared owner holds that database's owner credentials
/// (a reference, or a variable such as <c>DATABASE_URL</c> built from its connection). Only databases that declare owners
/// (<c>WithOwner</c>, <c>WithMigrations</c>, LiteLLM's <c>WithDatabase</c>) are checked.
/// </summary>
internal sealed class DatabaseOwnershipRule : IModelRule
{
    public IEnumerable<string> Check(IReadOnlyList<IResource> resources)
    {
        foreach (var database in resources.OfType<PostgresDatabaseResource>())
        {
            var owners = DatabaseOwnership.OwnersOf(database);
            var migrations = database.HasRuntimeRole ? database.Annotations.OfType<DatabaseMigrationsAnnotation>().First() : null;
            foreach (var consumer in resources)
            {
                if (consumer is PostgresDatabaseResource or PostgresServerResource or ParameterResource)
                {
                    continue;
                }

                if (migrations is not null && !ReferenceEquals(consumer, migrations.Migrator))
                {
                    var migratorUses = DatabaseOwnership.CredentialUses(consumer, database, [database.OwnerPassword], includeReference: false);
                    if (migratorUses.Count > 0)
                    {
                        yield return
                            $"Resource '{consumer.Name}' asks for the migrator credentials of database '{database.Name}' (role '{database.OwnerRole}': {string.Join(", ", migratorUses)}), " +
                            $"but only its migration system '{migrations.Migrator.Name}' ({migrations.System}) may hold them: expected '{database.RuntimeRole}' for '{consumer.Name}', found '{database.OwnerRole}'. " +
                            "The migrator can drop and rewrite every table, and the database's schema firewall lets no other role change the schema. " +
                            $"Fix: give '{consumer.Name}' WithReference on '{database.Name}' (or its ConnectionStringExpression/UriExpression), which hands it the runtime role that reads and writes rows; " +
                            $"or, if '{consumer.Name}' is the program that runs '{database.Name}''s migrations, declare it in AppHost/Program.cs with " +
                            $"{database.Name}.WithMigrations({consumer.Name}, \"<what it runs>\") in place of '{migrations.Migrator.Name}' (a database has one migration system).";
                        continue;
                    }
                }

                if (owners.Count == 0 || owners.Contains(consumer))
                {
                    continue;
                }

                var uses = DatabaseOwnership.CredentialUses(consumer, database, DatabaseOwnership.PasswordsOf(database), includeReference: true);
                if (uses.Count == 0)
                {
                    continue;
                }

                yield return
                    $"Resource '{consumer.Name}' is given the credentials of database '{database.Name}' ({string.Join(", ", uses)}), " +
                    $"but '{database.Name}' belongs to {string.Join(" and ", owners.Select(o => $"'{o.Name}'"))}: expected only its owners to hold them, found '{consumer.Name}' too. " +
                    $"A program wired to a database it does not own can change or drop that database's tables. " +
                    $"Fix: wire '{consumer.Name}' to a database of its own; or, if it really is part of the application, declare it with WithOwner on '{database.Name}'.";
            }
        }
    }
}
