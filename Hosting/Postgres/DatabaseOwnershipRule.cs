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
            if (owners.Count == 0)
            {
                continue;
            }

            foreach (var consumer in resources)
            {
                if (consumer is PostgresDatabaseResource or PostgresServerResource or ParameterResource || owners.Contains(consumer))
                {
                    continue;
                }

                var uses = DatabaseOwnership.CredentialUses(consumer, database);
                if (uses.Count == 0)
                {
                    continue;
                }

                yield return
                    $"Resource '{consumer.Name}' is given the owner credentials of database '{database.Name}' ({string.Join(", ", uses)}), " +
                    $"but '{database.Name}' belongs to {string.Join(" and ", owners.Select(o => $"'{o.Name}'"))}: expected only its owners to hold them, found '{consumer.Name}' too. " +
                    $"A program wired to a database it does not own can change or drop that database's tables. " +
                    $"Fix: wire '{consumer.Name}' to a database of its own; or, if it really is part of the application, declare it with WithOwner on '{database.Name}'.";
            }
        }
    }
}
