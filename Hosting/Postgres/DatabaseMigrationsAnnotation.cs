using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting.Postgres;

/// <summary>Marks <see cref="Migrator"/> as the migration system that changes the annotated database's schema (it is also an owner).</summary>
internal sealed class DatabaseMigrationsAnnotation(IResource migrator, string system) : IResourceAnnotation
{
    public IResource Migrator { get; } = migrator ?? throw new ArgumentNullException(nameof(migrator));

    /// <summary>Gets what kind of migrations it runs, shown in messages (e.g. <c>Drizzle migrations</c>).</summary>
    public string System { get; } = system;
}
