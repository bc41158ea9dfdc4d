// The app database's schema, as drizzle-kit reads it. db/migrations/ is generated from this file:
//   drizzle-kit generate --config db/drizzle.config.ts --name <what_changed>
// (drizzle-kit 0.31.11, drizzle-orm 0.45.4). Never edit an applied migration: change this file and generate a new one.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  displayName: text('display_name'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const billingAccounts = pgTable(
  'billing_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerUserId: uuid('owner_user_id').notNull().references(() => users.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    currency: text('currency').notNull().default('USD'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('billing_accounts_owner_user_id_idx').on(table.ownerUserId),
    check('billing_accounts_currency_check', sql`${table.currency} ~ '^[A-Z]{3}$'`),
  ],
);

export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    billingAccountId: uuid('billing_account_id').notNull().references(() => billingAccounts.id, { onDelete: 'restrict' }),
    // Integer cents, never floating point: credits are positive, charges negative.
    amountCents: bigint('amount_cents', { mode: 'bigint' }).notNull(),
    reason: text('reason').notNull(),
    // Retried writes carry the same key, so a charge is recorded once.
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('credit_ledger_idempotency_key_unique').on(table.idempotencyKey),
    index('credit_ledger_account_created_at_idx').on(table.billingAccountId, table.createdAt),
    check('credit_ledger_amount_cents_nonzero', sql`${table.amountCents} <> 0`),
  ],
);

export const virtualKeys = pgTable(
  'virtual_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    billingAccountId: uuid('billing_account_id').notNull().references(() => billingAccounts.id, { onDelete: 'restrict' }),
    createdByUserId: uuid('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    // The LiteLLM key's token hash (never the key itself), and the prefix shown to people.
    keyHash: text('key_hash').notNull().unique(),
    keyPrefix: text('key_prefix').notNull(),
    label: text('label'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('virtual_keys_billing_account_id_idx').on(table.billingAccountId)],
);
