import type { Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

export async function up(db: Kysely<any>): Promise<void> {
  // The duplicate-account advice on every create and update reads the
  // oldest five other connections of the org on the same cloud account.
  // With created_at in the index that is five index entries; without it,
  // every connection on that account was fetched and sorted, so creates in
  // an org with many connections on one account slowed down as it grew.
  await db.schema.createIndex("connections_org_account_created_idx").on("connections").columns(["org_id", "account_key", "created_at"]).execute();
  await db.schema.dropIndex("connections_org_account_idx").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("connections_org_account_idx").on("connections").columns(["org_id", "account_key"]).execute();
  await db.schema.dropIndex("connections_org_account_created_idx").execute();
}
