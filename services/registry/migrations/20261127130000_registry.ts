import { sql, type Kysely } from "kysely";
import { createOutboxTable } from "@planton/events";

// Frozen in time: this file must not import from src/. The outbox comes from
// @planton/events, whose createOutboxTable is frozen for that reason (its one
// definition, shared with the relay's tests).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("runners")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("identity_kind", "smallint", (c) => c.notNull())
    .addColumn("identity_principal", "text", (c) => c.notNull())
    // SHA-256 of the runner token; the token itself is shown once and never stored.
    .addColumn("token_hash", "bytea", (c) => c.notNull())
    .addColumn("token_hint", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("runners_org_name_unique", ["org_id", "name"])
    .execute();

  await db.schema
    .createTable("connections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("provider", "smallint", (c) => c.notNull())
    .addColumn("auth_mode", "smallint", (c) => c.notNull())
    // The request spec with every secret field cleared (protobuf JSON).
    .addColumn("public_spec", "jsonb", (c) => c.notNull())
    // The response view: non-secret fields and masked hints (protobuf JSON).
    .addColumn("details", "jsonb", (c) => c.notNull())
    .addColumn("runner_id", "text", (c) => c.references("runners.id").onDelete("restrict"))
    // Identifies the cloud account (e.g. aws:123456789012) for the one-connection-per-account advice.
    .addColumn("account_key", "text")
    .addColumn("credential_version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "smallint", (c) => c.notNull())
    .addColumn("last_verification", "jsonb")
    .addColumn("etag", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("connections_org_slug_unique", ["org_id", "slug"])
    .addUniqueConstraint("connections_org_name_unique", ["org_id", "name"])
    .execute();
  await db.schema.createIndex("connections_org_page_idx").on("connections").columns(["org_id", "created_at", "id"]).execute();
  await db.schema.createIndex("connections_org_account_idx").on("connections").columns(["org_id", "account_key"]).execute();
  await db.schema.createIndex("connections_runner_idx").on("connections").column("runner_id").execute();

  // Transactional outbox: events written with the change, published by the relay in seq order.
  await createOutboxTable(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("outbox").execute();
  await db.schema.dropTable("connections").execute();
  await db.schema.dropTable("runners").execute();
}
