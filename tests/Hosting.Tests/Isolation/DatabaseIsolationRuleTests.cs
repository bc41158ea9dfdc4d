using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.LiteLLM;
using StackModel.Hosting.Postgres;
using StackModel.Hosting.Tests.LiteLLM;

namespace StackModel.Hosting.Tests.Isolation;

public class DatabaseIsolationRuleTests
{
    [Fact]
    public async Task The_stack_as_declared_builds()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);

        await using var app = model.Builder.Build();

        Assert.Contains(app.Model.Resources, r => r is LiteLLMResource);
    }

    [Fact]
    public void A_LiteLLM_whose_DATABASE_URL_is_pointed_at_app_dev_by_hand_is_refused_naming_both()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        model.LiteLLM.WithEnvironment("DATABASE_URL", model.AppDb.Resource.UriExpression);

        var error = Assert.Throws<DistributedApplicationException>(() => model.Builder.Build());

        Assert.Contains("Resource 'litellm' is given the credentials of database 'app_dev' (DATABASE_URL)", error.Message, StringComparison.Ordinal);
        Assert.Contains("belongs to 'migrations'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_container_that_is_not_the_owner_and_references_app_dev_is_refused()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        model.Builder.AddContainer("reset-script", "debian", "bookworm").WithReference(model.AppDb);

        var error = Assert.Throws<DistributedApplicationException>(() => model.Builder.Build());

        Assert.Contains("Resource 'reset-script' is given the credentials of database 'app_dev' (WithReference, APP_DEV_PASSWORD, APP_DEV_URI, ConnectionStrings__app_dev)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_executable_with_an_argument_built_from_app_dev_credentials_is_refused()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        var password = model.AppDb.Resource.OwnerPassword;
        model.Builder.AddExecutable("psql", "psql", ".").WithArgs(ReferenceExpression.Create($"postgresql://app_dev_owner:{password:uri}@127.0.0.1/app_dev"));

        var error = Assert.Throws<DistributedApplicationException>(() => model.Builder.Build());

        Assert.Contains("Resource 'psql' asks for the migrator credentials of database 'app_dev' (role 'app_dev_owner': argument", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiteLLM_pointed_at_litellm_dev_by_a_program_that_is_not_LiteLLM_is_refused_too()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        model.Runner.WithReference(model.LiteLLMDb);

        var error = Assert.Throws<DistributedApplicationException>(() => model.Builder.Build());

        Assert.Contains("Resource 'migrations' is given the credentials of database 'litellm_dev'", error.Message, StringComparison.Ordinal);
        Assert.Contains("belongs to 'litellm'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_declared_an_owner_of_app_dev_may_reference_it()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var model = LiteLLMModel.Create(state.Path);
        var api = model.Builder.AddExecutable("api", "api", ".").WithReference(model.AppDb);
        model.AppDb.WithOwner(api);

        await using var app = model.Builder.Build();

        Assert.Contains(app.Model.Resources, r => r.Name == "api");
    }

    [Fact]
    public async Task A_database_that_declares_no_owner_is_not_checked()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var builder = LiteLLMModel.Create(state.Path).Builder;
        var scratch = builder.Resources.OfType<PostgresServerResource>().Single();
        var db = builder.CreateResourceBuilder(scratch).AddDatabase("scratch");
        builder.AddExecutable("tool", "tool", ".").WithReference(db);

        await using var app = builder.Build();

        Assert.Contains(app.Model.Resources, r => r.Name == "tool");
    }

    [Fact]
    public void Two_migration_systems_on_one_database_are_refused_naming_both()
    {
        using var state = new TempDirectory("stackmodel-model-test-");
        var builder = new DistributedApplicationBuilder([$"--Stack:StateDirectory={state.Path}"], appHostAssembly: null);
        var appDb = builder.AddPostgres("postgres", port: 15432).AddDatabase("app_dev");
        builder.AddLiteLLM("litellm", port: 14000).WithDatabase(appDb);
        var runner = builder.AddExecutable("migrations", "runner", ".").WithReference(appDb);
        appDb.WithMigrations(runner, "Drizzle migrations");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Database 'app_dev' has 2 migration systems: 'litellm' (LiteLLM's Prisma migrations) and 'migrations' (Drizzle migrations); expected one.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: give each its own database", error.Message, StringComparison.Ordinal);
    }
}
