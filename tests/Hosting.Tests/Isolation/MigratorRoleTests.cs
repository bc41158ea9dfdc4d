using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Export;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Tests.LiteLLM;

namespace StackModel.Hosting.Tests.Isolation;

/// <summary>A database with a migration system hands that system the migrator (its owner) and every other consumer the runtime role.</summary>
public class MigratorRoleTests
{
    [Fact]
    public void A_consumer_asking_for_the_migrator_without_being_the_migration_system_is_refused_at_build_time_with_the_fix()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        var api = model.Builder.AddExecutable("api", "api", ".").WithEnvironment("DATABASE_URL", model.AppDb.Resource.MigratorUriExpression);
        model.AppDb.WithOwner(api);

        var error = Assert.Throws<DistributedApplicationException>(() => model.Builder.Build());

        Assert.Contains("Resource 'api' asks for the migrator credentials of database 'app_dev' (role 'app_dev_owner': DATABASE_URL)", error.Message, StringComparison.Ordinal);
        Assert.Contains("only its migration system 'migrations' (Drizzle migrations) may hold them: expected 'app_dev_user' for 'api', found 'app_dev_owner'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: give 'api' WithReference on 'app_dev'", error.Message, StringComparison.Ordinal);
        Assert.Contains("app_dev.WithMigrations(api, \"<what it runs>\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithReference_hands_the_migration_system_the_migrator_and_every_other_consumer_the_runtime_role_whatever_the_order()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        var api = model.Builder.AddExecutable("api", "api", ".").WithReference(model.AppDb);
        model.AppDb.WithOwner(api);

        await using var app = model.Builder.Build();

        Assert.Contains("Username=app_dev_owner;", Rendered(model.Runner.Resource, "ConnectionStrings__app_dev"), StringComparison.Ordinal);
        Assert.Contains("app_dev_owner", Rendered(model.Runner.Resource, "APP_DEV_USERNAME"), StringComparison.Ordinal);
        Assert.Contains("Username=app_dev_user;", Rendered(api.Resource, "ConnectionStrings__app_dev"), StringComparison.Ordinal);
        Assert.Contains("{app_dev-runtime-password.value}", Rendered(api.Resource, "ConnectionStrings__app_dev"), StringComparison.Ordinal);
        Assert.Contains("app_dev_user", Rendered(api.Resource, "APP_DEV_USERNAME"), StringComparison.Ordinal);

        // LiteLLM is litellm_dev's migration system: it keeps its owner.
        Assert.Contains("litellm_dev_owner", Rendered(model.LiteLLM.Resource, "DATABASE_URL"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exported_environment_gives_the_runtime_role_as_DATABASE_URL_and_the_migrator_as_MIGRATIONS_DATABASE_URL_both_secret()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var builder = new DistributedApplicationBuilder([$"--Stack:StateDirectory={state.Path}"], appHostAssembly: null);
        var appDb = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev").WithEnvExport("DB", urlVariable: "DATABASE_URL");
        var runner = builder.AddExecutable("migrations", "runner", ".").WithReference(appDb);
        appDb.WithMigrations(runner, "Drizzle migrations"); // after WithEnvExport, as in AppHost/Program.cs
        await using var app = builder.Build();
        app.Prepare();

        var variables = (await EnvExporter.RenderAsync(app.Model, NetworkContext.Host)).ToDictionary(v => v.Name);

        Assert.StartsWith("postgresql://app_dev_user:", variables["DATABASE_URL"].Value, StringComparison.Ordinal);
        Assert.Equal("app_dev_user", variables["DB_USER"].Value);
        Assert.StartsWith("postgresql://app_dev_owner:", variables["MIGRATIONS_DATABASE_URL"].Value, StringComparison.Ordinal);
        Assert.Equal("app_dev_owner", variables["MIGRATIONS_DB_USER"].Value);
        Assert.Equal("app_dev", variables["MIGRATIONS_DB_NAME"].Value);
        Assert.NotEqual(variables["DB_PASSWORD"].Value, variables["MIGRATIONS_DB_PASSWORD"].Value);
        foreach (var name in new[] { "DATABASE_URL", "DB_PASSWORD", "MIGRATIONS_DATABASE_URL", "MIGRATIONS_DB_PASSWORD" })
        {
            Assert.True(variables[name].IsSecret, $"{name} must be masked");
        }
    }

    [Fact]
    public async Task A_database_without_a_migration_system_keeps_one_role_and_exports_no_migrator_variables()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var builder = new DistributedApplicationBuilder([$"--Stack:StateDirectory={state.Path}"], appHostAssembly: null);
        var scratch = builder.AddPostgres("postgres", port: 15432).AddDatabase("scratch").WithEnvExport("SCRATCH");
        await using var app = builder.Build();
        app.Prepare();

        var variables = (await EnvExporter.RenderAsync(app.Model, NetworkContext.Host)).ToDictionary(v => v.Name);

        Assert.Equal("scratch_owner", variables["SCRATCH_USER"].Value);
        Assert.DoesNotContain("MIGRATIONS_SCRATCH_URL", variables.Keys);
        Assert.Null(scratch.Resource.RuntimePassword);
    }

    private static string Rendered(IResource resource, string variable)
    {
        var context = new EnvironmentCallbackContext();
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(context);
        }

        return context.EnvironmentVariables[variable] switch
        {
            IValueProvider provider => provider.ValueExpression,
            var other => other?.ToString() ?? string.Empty,
        };
    }
}
