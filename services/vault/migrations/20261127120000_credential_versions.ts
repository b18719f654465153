import { sql, type Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per connection: the last version number handed out, so numbers
  // are never reused even after every version was destroyed.
  await db.schema
    .createTable("credentials")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("latest_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("credentials_pk", ["org_id", "connection_id"])
    .execute();

  // One row per sealed version. Only what envelope encryption needs is kept:
  // the wrapped data key and its key id, nonce, ciphertext and tag. Destroying
  // a version nulls all five and keeps the row as a tombstone.
  await db.schema
    .createTable("credential_versions")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("connection_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("format_version", "smallint", (c) => c.notNull())
    .addColumn("key_id", "text")
    .addColumn("wrapped_key", "bytea")
    .addColumn("nonce", "bytea")
    .addColumn("ciphertext", "bytea")
    .addColumn("tag", "bytea")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("rewrapped_at", "timestamptz")
    .addColumn("destroyed_at", "timestamptz")
    .addPrimaryKeyConstraint("credential_versions_pk", ["org_id", "connection_id", "version"])
    .addForeignKeyConstraint("credential_versions_credential_fk", ["org_id", "connection_id"], "credentials", ["org_id", "connection_id"])
    .addCheckConstraint(
      "credential_versions_live_or_shredded",
      sql`(destroyed_at is null and key_id is not null and wrapped_key is not null and nonce is not null and ciphertext is not null and tag is not null)
        or (destroyed_at is not null and key_id is null and wrapped_key is null and nonce is null and ciphertext is null and tag is null)`,
    )
    .addCheckConstraint("credential_versions_version_positive", sql`version > 0`)
    .execute();

  // Rewrap scans live rows by key id.
  await db.schema
    .createIndex("credential_versions_live_key_idx")
    .on("credential_versions")
    .columns(["key_id"])
    .where(sql.ref("destroyed_at"), "is", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("credential_versions").execute();
  await db.schema.dropTable("credentials").execute();
}
