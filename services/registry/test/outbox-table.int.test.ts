import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sql, type Kysely } from "kysely";
import { createDatabase, migrateToLatest } from "@planton/db";
import { addOutboxTraceContext, createOutboxTable } from "@planton/events";
import { silentLogger } from "@planton/logging";
import { createTestDatabase, type TestDatabase } from "@planton/testing";
import { migrations } from "../migrations/index.js";

// The relay is tested against a table made by createOutboxTable and
// addOutboxTraceContext (libs/events test fixture); production gets its table
// from the registry's migrations.
// Both must be the same table, down to constraints and index definitions.

let database: TestDatabase;
let db: Kysely<unknown>;
let destroy: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "outbox");
  await migrateToLatest({ url: database.url, schema: "registry", migrations, logger: silentLogger });
  const handle = createDatabase<unknown>({ url: database.url, schema: "relay_test", logger: silentLogger, maxConnections: 1 });
  db = handle.db;
  destroy = () => handle.destroy();
  await sql`create schema relay_test`.execute(db);
  await createOutboxTable(db);
  await addOutboxTraceContext(db);
});
afterAll(async () => {
  await destroy?.();
  await database?.drop();
});

/** Columns, constraints and indexes of `<schema>.outbox`, with the schema name taken out. */
async function outboxOf(schema: string) {
  const columns = await sql<{ name: string; type: string; nullable: string; default_value: string | null }>`
    select column_name as name, data_type as type, is_nullable as nullable,
           replace(column_default, ${schema + "."}, '') as default_value
    from information_schema.columns where table_schema = ${schema} and table_name = 'outbox' order by ordinal_position`.execute(db);
  const constraints = await sql<{ name: string; definition: string }>`
    select conname as name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = ${schema} and t.relname = 'outbox' order by conname`.execute(db);
  const indexes = await sql<{ name: string; definition: string }>`
    select indexname as name, replace(indexdef, ${schema + "."}, '') as definition
    from pg_indexes where schemaname = ${schema} and tablename = 'outbox' order by indexname`.execute(db);
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows };
}

describe("the outbox table", () => {
  it("is the same from the registry's migrations as from createOutboxTable (what the relay tests use)", async () => {
    const production = await outboxOf("registry");
    expect(production.columns.map((c) => c.name)).toEqual([
      "id",
      "seq",
      "subject",
      "ordering_key",
      "payload",
      "created_at",
      "published_at",
      "attempts",
      "last_error",
      "traceparent",
      "tracestate",
    ]);
    expect(production.constraints.map((c) => `${c.name}: ${c.definition}`)).toEqual(["outbox_pkey: PRIMARY KEY (id)", "outbox_seq_key: UNIQUE (seq)"]);
    expect(production.indexes.map((i) => i.name)).toEqual(["outbox_pkey", "outbox_published_at_idx", "outbox_seq_key", "outbox_unpublished_idx"]);
    expect(await outboxOf("relay_test")).toEqual(production);
  });
});
