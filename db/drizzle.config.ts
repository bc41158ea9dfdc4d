// drizzle-kit (generate, migrate, studio) runs as app_dev's migrator, the one role the schema firewall lets change the
// schema; the application itself uses DATABASE_URL (the runtime role). Both come from .env.stack, which every start of
// the stack writes:  set -a; . ./.env.stack; set +a; npx drizzle-kit migrate --config db/drizzle.config.ts
import { defineConfig } from 'drizzle-kit';

const url = process.env.MIGRATIONS_DATABASE_URL;
if (!url) {
  throw new Error(
    'MIGRATIONS_DATABASE_URL is not set: expected the migrator URL from .env.stack. ' +
      'Load it first (set -a; . ./.env.stack; set +a), or write it with: dotnet run --project AppHost -- env --output .env.stack');
}

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
  dbCredentials: { url },
});
