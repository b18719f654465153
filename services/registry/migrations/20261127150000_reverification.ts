import { sql, type Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  // When the connection is next due for periodic re-verification; null while
  // a verification is pending or for runner mode (nothing to re-verify here).
  await db.schema.alterTable("connections").addColumn("next_verification_at", "timestamptz").execute();
  await db.schema
    .createIndex("connections_next_verification_idx")
    .on("connections")
    .column("next_verification_at")
    .where(sql.ref("next_verification_at"), "is not", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("connections_next_verification_idx").execute();
  await db.schema.alterTable("connections").dropColumn("next_verification_at").execute();
}
