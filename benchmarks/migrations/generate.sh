#!/usr/bin/env bash
# Writes a drizzle-orm 0.45 migrations folder of N migrations, shaped the way drizzle-kit writes them:
# a table with a uuid primary key, a foreign key to the previous table, a unique and a plain index.
# Usage: generate.sh <folder> [count=200]
set -euo pipefail
folder="$1"
count="${2:-200}"
rm -rf "$folder"
mkdir -p "$folder/meta"
base_when=1735689600000
journal="$folder/meta/_journal.json"
{
  printf '{\n  "version": "7",\n  "dialect": "postgresql",\n  "entries": [\n'
  for ((i = 0; i < count; i++)); do
    tag=$(printf '%04d_bench_%04d' "$i" "$i")
    table=$(printf 't_%04d' "$i")
    sql="$folder/$tag.sql"
    {
      printf 'CREATE TABLE "%s" (\n' "$table"
      printf '\t"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,\n'
      printf '\t"parent_id" uuid,\n'
      printf '\t"name" text NOT NULL,\n'
      printf '\t"amount_cents" bigint DEFAULT 0 NOT NULL,\n'
      printf '\t"created_at" timestamp with time zone DEFAULT now() NOT NULL,\n'
      printf '\tCONSTRAINT "%s_name_unique" UNIQUE("name")\n' "$table"
      printf ');\n--> statement-breakpoint\n'
      if ((i > 0)); then
        parent=$(printf 't_%04d' "$((i - 1))")
        printf 'ALTER TABLE "%s" ADD CONSTRAINT "%s_parent_id_%s_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."%s"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint\n' "$table" "$table" "$parent" "$parent"
      fi
      printf 'CREATE INDEX "%s_created_at_idx" ON "%s" USING btree ("created_at");' "$table" "$table"
    } > "$sql"
    sep=','
    if ((i == count - 1)); then sep=''; fi
    printf '    {\n      "idx": %d,\n      "version": "7",\n      "when": %d,\n      "tag": "%s",\n      "breakpoints": true\n    }%s\n' \
      "$i" "$((base_when + i * 60000))" "$tag" "$sep"
  done
  printf '  ]\n}'
} > "$journal"
