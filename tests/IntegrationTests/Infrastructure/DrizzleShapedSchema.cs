namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// An app schema as drizzle-orm 0.45 leaves it (FACTS.md): the <c>drizzle.__drizzle_migrations</c> history and app tables with
/// serial keys and a foreign key, until the migration runner's own migrations are merged.
/// </summary>
internal static class DrizzleShapedSchema
{
    public const string Sql =
        """
        CREATE SCHEMA IF NOT EXISTS "drizzle";
        CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
        INSERT INTO "drizzle"."__drizzle_migrations" (hash, created_at) VALUES
          ('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 1730000000000),
          ('60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752', 1730000100000);
        CREATE SCHEMA app;
        CREATE TABLE app.users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
        CREATE TABLE app.credit_ledger (id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES app.users (id), amount numeric NOT NULL);
        CREATE TABLE public.audit (id serial PRIMARY KEY, what text);
        """;

    /// <summary>The journal's entries, by drizzle's rule: pending when <c>when</c> is newer than the last applied <c>created_at</c>.</summary>
    public const string PendingSql =
        "SELECT count(*) FROM (VALUES (1730000000000::bigint), (1730000100000::bigint)) journal(when_) WHERE when_ > (SELECT max(created_at) FROM drizzle.__drizzle_migrations)";

    public const string HistorySql = "SELECT string_agg(id || ':' || hash || ':' || created_at, ',' ORDER BY id) FROM drizzle.__drizzle_migrations";

    public static string Rows(int users) =>
        $"""
        INSERT INTO app.users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, {users}) g;
        INSERT INTO app.credit_ledger (user_id, amount) SELECT id, 10 FROM app.users, generate_series(1, 10);
        INSERT INTO public.audit (what) SELECT 'event ' || g FROM generate_series(1, {users}) g;
        """;
}
