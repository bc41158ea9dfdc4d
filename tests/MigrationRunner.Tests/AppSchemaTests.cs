using Npgsql;
using StackModel.MigrationRunner.Tests.Infrastructure;

namespace StackModel.MigrationRunner.Tests;

/// <summary>db/migrations gives the ledger the keys it needs: unique emails, integer cents, idempotency, no orphaned entries.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AppSchemaTests(PostgresServerFixture server)
{
    [PostgresFact]
    public async Task The_app_schema_enforces_unique_emails_idempotent_ledger_entries_and_restricts_deleting_accounts_with_entries()
    {
        using var timeout = RunnerTimeouts.ForTest();
        var database = await server.CreateDatabaseAsync(timeout.Token);
        Assert.True((await database.MigrateAsync(TestPaths.AppMigrations, timeout.Token)).Successful);
        await database.ExecuteAsync(
            """
            INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'ada@example.com');
            INSERT INTO billing_accounts (id, owner_user_id, name) VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'Ada');
            INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key)
                VALUES ('00000000-0000-0000-0000-0000000000a1', 9007199254740993, 'top-up', 'stripe:evt_1');
            INSERT INTO virtual_keys (billing_account_id, created_by_user_id, key_hash, key_prefix)
                VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'sha256:abc', 'sk-abc');
            """,
            timeout.Token);

        Assert.Equal(9007199254740993L, await database.ScalarAsync<long>("SELECT sum(amount_cents)::bigint FROM credit_ledger", timeout.Token));
        await AssertViolatesAsync(database, "23505", "INSERT INTO users (email) VALUES ('ada@example.com')", timeout.Token);
        await AssertViolatesAsync(
            database,
            "23505",
            "INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key) VALUES ('00000000-0000-0000-0000-0000000000a1', -100, 'retry', 'stripe:evt_1')",
            timeout.Token);
        await AssertViolatesAsync(
            database,
            "23514",
            "INSERT INTO credit_ledger (billing_account_id, amount_cents, reason, idempotency_key) VALUES ('00000000-0000-0000-0000-0000000000a1', 0, 'nothing', 'k0')",
            timeout.Token);
        await AssertViolatesAsync(database, "23503", "DELETE FROM billing_accounts", timeout.Token);
        await AssertViolatesAsync(database, "23503", "DELETE FROM users", timeout.Token);
    }

    private static async Task AssertViolatesAsync(TestDatabase database, string sqlState, string sql, CancellationToken cancellationToken)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(sql, cancellationToken));
        Assert.Equal(sqlState, error.SqlState);
    }
}
