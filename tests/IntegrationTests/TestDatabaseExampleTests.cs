using Npgsql;
using StackModel.Hosting;
using StackModel.Hosting.Testing;
using StackModel.IntegrationTests.Infrastructure;

namespace StackModel.IntegrationTests;

/// <summary>
/// The pattern README's "Testing your app" shows: a class fixture owns the test stack (started once for the class, template built and pool
/// started in <see cref="AppStackFixture.InitializeAsync"/>), and every test takes a database of its own. The two tests write the same
/// unique email: on one shared database the second would fail (or depend on the order); here neither sees the other's row.
/// </summary>
public class TestDatabaseExampleTests(TestDatabaseExampleTests.AppStackFixture stack) : IClassFixture<TestDatabaseExampleTests.AppStackFixture>
{
    [RequiresPostgresFact]
    public async Task A_new_user_gets_a_billing_account()
    {
        var ct = TestStack.Timeout();
        await using var db = await stack.App.CreateTestDatabaseAsync("app_dev", ct);

        await using var command = db.DataSource.CreateCommand(
            """
            WITH u AS (INSERT INTO users (email) VALUES ('ada@example.com') RETURNING id)
            INSERT INTO billing_accounts (owner_user_id, name) SELECT id, 'Ada' FROM u
            """);
        await command.ExecuteNonQueryAsync(ct);

        Assert.Equal(1L, await CountAsync(db.DataSource, "billing_accounts", ct));
    }

    [RequiresPostgresFact]
    public async Task The_same_email_cannot_sign_up_twice()
    {
        var ct = TestStack.Timeout();
        await using var db = await stack.App.CreateTestDatabaseAsync("app_dev", ct);

        await using var first = db.DataSource.CreateCommand("INSERT INTO users (email) VALUES ('ada@example.com')");
        await first.ExecuteNonQueryAsync(ct);
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => first.ExecuteNonQueryAsync(ct));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal(1L, await CountAsync(db.DataSource, "users", ct));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string table, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Owns the test stack of the real AppHost for the test class.</summary>
    public sealed class AppStackFixture : IAsyncLifetime
    {
        private DistributedApplication? _app;

        public DistributedApplication App => _app ?? throw new InvalidOperationException("The test stack did not start.");

        public async Task InitializeAsync()
        {
            if (PostgresAvailability.SkipReason is not null)
            {
                return; // the tests skip with the reason (and fail on CI)
            }

            var ct = TestStack.Timeout();
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(cancellationToken: ct);
            _app = await builder.BuildAsync(ct);
            await _app.StartAsync(ct);
            await _app.PrepareTestDatabasesAsync("app_dev", ct); // the template (built once per migrations content) and the pool
        }

        public async Task DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }
}
