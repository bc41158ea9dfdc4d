using System.Reflection;

namespace StackModel.MigrationRunner.Tests.Infrastructure;

/// <summary>Where the tests find the repository, the pinned drizzle-orm and the built runner.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string TestProjectDirectory { get; } = Metadata("TestProjectDirectory");

    /// <summary>The app's migrations, db/migrations.</summary>
    public static string AppMigrations => Path.Combine(RepositoryRoot, "db", "migrations");

    /// <summary>The folder holding package.json, package-lock.json and migrate.mjs (drizzle-orm 0.45.4's own migrator).</summary>
    public static string DrizzleDirectory => Path.Combine(TestProjectDirectory, "drizzle");

    /// <summary>The runner as built next to the tests (a project reference copies it with its runtimeconfig and deps).</summary>
    public static string RunnerAssembly => Path.Combine(AppContext.BaseDirectory, "StackModel.MigrationRunner.dll");

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata \"{key}\" is missing; it is set in MigrationRunner.Tests.csproj.");
}
