import { sql, type Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per run of the AWS cross-account trust flow. No secret column:
  // the external id is sealed in the vault (pending_version), and the
  // callback token is an HMAC recomputed from the id and expiry, never stored.
  await db.schema
    .createTable("aws_trust_setups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
    .addColumn("state", "smallint", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("region", "text", (c) => c.notNull())
    .addColumn("capabilities", sql`smallint[]`, (c) => c.notNull())
    .addColumn("reconnect", "boolean", (c) => c.notNull())
    .addColumn("stack_name", "text", (c) => c.notNull())
    // Vault version (of the connection) holding this setup's external id until completion.
    .addColumn("pending_version", "integer", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    .addColumn("role_arn", "text")
    .addColumn("stack_id", "text")
    // The connection's credential version that seals the captured role.
    .addColumn("completed_version", "integer")
    .execute();
  await db.schema.createIndex("aws_trust_setups_connection_idx").on("aws_trust_setups").columns(["connection_id", "state"]).execute();
  await db.schema.createIndex("aws_trust_setups_pending_expiry_idx").on("aws_trust_setups").column("expires_at").where(sql.ref("state"), "=", 1).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("aws_trust_setups").execute();
}
