// Runs drizzle-orm's own PostgreSQL migrator (node-postgres driver), exactly as an app would.
// Usage: DATABASE_URL=postgresql://user:password@host:port/db node migrate.mjs <migrationsFolder>
// Exit code 0 on success, 1 on any error (the error message goes to stderr).
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

const migrationsFolder = process.argv[2];
if (!migrationsFolder || !process.env.DATABASE_URL) {
  console.error('usage: DATABASE_URL=postgresql://... node migrate.mjs <migrationsFolder>');
  process.exit(2);
}

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
try {
  await client.connect();
  await migrate(drizzle(client), { migrationsFolder });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
}
