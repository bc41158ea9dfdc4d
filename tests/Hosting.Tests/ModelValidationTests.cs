using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Postgres;

namespace StackModel.Hosting.Tests;

public class ModelValidationTests
{
    [Fact]
    public void Duplicate_names_are_refused_naming_the_resource()
    {
        var builder = TestBuilder.Create();
        builder.AddExecutable("worker", "a", ".");
        builder.AddExecutable("Worker", "b", ".");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("'worker'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unique", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_endpoints_on_one_host_port_are_refused_naming_both()
    {
        var builder = TestBuilder.Create();
        builder.AddPostgres("postgres", port: 15432);
        builder.AddExecutable("web", "web", ".").WithHttpEndpoint(port: 15432);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Host port 15432", error.Message, StringComparison.Ordinal);
        Assert.Contains("'postgres'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'web'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wait_cycle_is_refused_and_printed()
    {
        var builder = TestBuilder.Create();
        var a = builder.AddExecutable("a", "a", ".");
        var b = builder.AddExecutable("b", "b", ".");
        var c = builder.AddExecutable("c", "c", ".");
        a.WaitFor(b);
        b.WaitFor(c);
        c.WaitFor(a);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("a → b → c → a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_an_undeclared_resource_is_refused()
    {
        var builder = TestBuilder.Create();
        var other = TestBuilder.Create();
        var foreignDb = other.AddPostgres("elsewhere", port: 6000).AddDatabase("app_dev");
        builder.AddExecutable("runner", "runner", ".").WithReference(foreignDb);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("'runner' references 'app_dev', which is not declared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var builder = TestBuilder.Create();
        builder.AddExecutable("x", "a", ".").WithHttpEndpoint(port: 7000);
        builder.AddExecutable("X", "b", ".").WithHttpEndpoint(port: 7000);

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("2 problems", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void An_invalid_port_is_refused_with_the_valid_range(int port)
    {
        var builder = TestBuilder.Create();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddPostgres("postgres", port));

        Assert.Contains("1 to 65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_port_override_in_configuration_is_refused()
    {
        var builder = TestBuilder.Create();
        builder.AddPostgres("postgres", port: 15432);
        builder.Configuration["Stack:Ports:postgres:tcp"] = "70000";

        var error = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Contains("Stack:Ports:postgres:tcp is '70000'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("App-Dev")]
    [InlineData("1app")]
    [InlineData("app dev")]
    [InlineData("postgres")]
    [InlineData("drop table x;--")]
    public void A_database_name_that_is_not_a_plain_identifier_is_refused(string name)
    {
        var builder = TestBuilder.Create();
        var postgres = builder.AddPostgres("postgres", port: 15432);

        var error = Assert.Throws<ArgumentException>(() => postgres.AddDatabase("db", name));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("app_dev", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_declared_twice_on_one_server_is_refused()
    {
        var builder = TestBuilder.Create();
        var postgres = builder.AddPostgres("postgres", port: 15432);
        postgres.AddDatabase("app_dev");

        Assert.Throws<DistributedApplicationException>(() => postgres.AddDatabase("app_dev2", "app_dev"));
    }

    [Fact]
    public void A_valid_stack_builds_and_lists_its_resources()
    {
        var builder = TestBuilder.Create();
        var postgres = builder.AddPostgres("postgres", port: 15432);
        var db = postgres.AddDatabase("app_dev");
        builder.AddExecutable("runner", "runner", ".").WithReference(db).WaitFor(db);

        var app = builder.Build();

        Assert.Equal(["postgres-password", "postgres", "app_dev-owner-password", "app_dev", "runner"], app.Model.Resources.Select(r => r.Name));
    }
}
