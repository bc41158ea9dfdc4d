using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>
/// Refuses a database with more than one migration system: each brings the schema to its own idea of it, and one drops what the
/// other created (LiteLLM's Prisma <c>db push</c> drops every table it does not know).
/// </summary>
internal sealed class SingleMigrationSystemRule : IModelRule
{
    public IEnumerable<string> Check(IReadOnlyList<IResource> resources)
    {
        foreach (var database in resources.OfType<PostgresDatabaseResource>())
        {
            var systems = database.Annotations.OfType<DatabaseMigrationsAnnotation>()
                .DistinctBy(a => a.Migrator)
                .ToArray();
            if (systems.Length < 2)
            {
                continue;
            }

            yield return
                $"Database '{database.Name}' has {systems.Length} migration systems: {string.Join(" and ", systems.Select(s => $"'{s.Migrator.Name}' ({s.System})"))}; expected one. " +
                "Each brings the schema to its own idea of it and drops or rewrites what the other created. " +
                $"Fix: give each its own database (AddDatabase on the server) and wire {string.Join(" or ", systems.Skip(1).Select(s => $"'{s.Migrator.Name}'"))} to that one.";
        }
    }
}
