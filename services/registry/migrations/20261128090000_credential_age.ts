import { sql, type Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("connections")
    // When the current credential version was sealed; null while nothing secret is stored.
    .addColumn("credential_sealed_at", "timestamptz")
    // The current version's creation and expiry as the provider reported them to the verifier.
    .addColumn("credential_created_at", "timestamptz")
    .addColumn("credential_expires_at", "timestamptz")
    .execute();
  // Existing versions: their exact seal time is the vault's; the last change of the row is the closest the registry knows.
  await db
    .updateTable("connections")
    .set({ credential_sealed_at: sql.ref("updated_at") })
    .where("credential_version", ">", 0)
    .execute();

  // One row per connection.rotation_due event published: once per credential
  // version and reason, across replicas and restarts (the primary key decides).
  await db.schema
    .createTable("rotation_notices")
    .addColumn("connection_id", "text", (c) => c.notNull().references("connections.id").onDelete("cascade"))
    .addColumn("credential_version", "integer", (c) => c.notNull())
    .addColumn("reason", "smallint", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("sent_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("rotation_notices_pk", ["connection_id", "credential_version", "reason"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rotation_notices").execute();
  await db.schema
    .alterTable("connections")
    .dropColumn("credential_expires_at")
    .dropColumn("credential_created_at")
    .dropColumn("credential_sealed_at")
    .execute();
}
