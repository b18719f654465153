import { sql, type Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  // environment '*' stands for ORGANIZATION scope (every environment, present and future).
  await db.schema
    .createTable("authorizations")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("connection_slug", "text", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("authorizations_pk", ["org_id", "connection_id", "environment"])
    .execute();
  await db.schema.createIndex("authorizations_env_idx").on("authorizations").columns(["org_id", "environment"]).execute();

  await db.schema
    .createTable("default_connections")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("provider", "smallint", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("connection_slug", "text", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("default_connections_pk", ["org_id", "provider", "environment"])
    .execute();

  // A deployment's pin: the credential version it resolved first.
  await db.schema
    .createTable("deployment_pins")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("deployment_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("credential_version", "integer", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("pinned_at", "timestamptz", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("deployment_pins_pk", ["org_id", "deployment_id"])
    .execute();
  await db.schema.createIndex("deployment_pins_connection_idx").on("deployment_pins").columns(["org_id", "connection_id", "credential_version"]).execute();

  // Credential versions that stopped being current (from connection.rotated
  // events); the retention job destroys them in the vault once no pin holds them.
  await db.schema
    .createTable("retired_versions")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("retired_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("retired_versions_pk", ["org_id", "connection_id", "version"])
    .execute();
  await db.schema.createIndex("retired_versions_time_idx").on("retired_versions").column("retired_at").execute();

  // One row per resolve, allowed or refused. No secret is ever written here.
  await db.schema
    .createTable("audit_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("time", "timestamptz", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("deployment_id", "text", (c) => c.notNull())
    .addColumn("environment", "text", (c) => c.notNull())
    .addColumn("provider", "smallint", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("credential_version", "integer", (c) => c.notNull())
    .addColumn("decision", "smallint", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_events_org_time_idx").on("audit_events").columns(["org_id", "time", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["audit_events", "retired_versions", "deployment_pins", "default_connections", "authorizations"]) {
    await db.schema.dropTable(table).execute();
  }
}
