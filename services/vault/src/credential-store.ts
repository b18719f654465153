import { sql, type Kysely, type Transaction } from "kysely";
import type { CredentialVersionRow, NewCredentialVersion, VaultDatabase } from "./schema.js";

type Db = Kysely<VaultDatabase> | Transaction<VaultDatabase>;

/**
 * allocateVersion hands out the next version number of a connection, creating
 * its counter on first use. One atomic upsert, so concurrent seals of one
 * connection get distinct numbers (inside a transaction the counter row also
 * stays locked until it ends).
 */
export async function allocateVersion(db: Db, orgId: string, connectionId: string): Promise<number> {
  const row = await db
    .insertInto("credentials")
    .values({ org_id: orgId, connection_id: connectionId, latest_version: 1 })
    .onConflict((oc) => oc.columns(["org_id", "connection_id"]).doUpdateSet({ latest_version: sql<number>`credentials.latest_version + 1` }))
    .returning("latest_version")
    .executeTakeFirstOrThrow();
  return row.latest_version;
}

/** insertVersion stores one sealed version. */
export async function insertVersion(db: Db, row: NewCredentialVersion): Promise<void> {
  await db.insertInto("credential_versions").values(row).execute();
}

/**
 * findVersions reads many versions in one statement (`unnest` of the
 * addresses, so the text is the same for every count); one row or undefined
 * per address, in order.
 */
export async function findVersions(
  db: Db,
  addresses: readonly { orgId: string; connectionId: string; version: number }[],
): Promise<(CredentialVersionRow | undefined)[]> {
  const rows = await db
    .selectFrom("credential_versions")
    .selectAll()
    .where(
      sql<boolean>`(org_id, connection_id, version) in (select * from unnest(${addresses.map((a) => a.orgId)}::text[], ${addresses.map((a) => a.connectionId)}::text[], ${addresses.map((a) => a.version)}::int[]))`,
    )
    .execute();
  const byAddress = new Map(rows.map((row) => [`${row.org_id}\u0000${row.connection_id}\u0000${row.version}`, row]));
  return addresses.map((a) => byAddress.get(`${a.orgId}\u0000${a.connectionId}\u0000${a.version}`));
}

/**
 * shredVersions deletes the key material of one live version, or of every
 * live version when `version` is 0, keeping tombstones. Returns the versions
 * it shredded with the wrapped keys they had (for cache eviction).
 */
export async function shredVersions(
  db: Db,
  orgId: string,
  connectionId: string,
  version: number,
): Promise<{ version: number; keyId: string; wrappedKey: Uint8Array }[]> {
  let live = db
    .selectFrom("credential_versions")
    .select(["version", "key_id", "wrapped_key"])
    .where("org_id", "=", orgId)
    .where("connection_id", "=", connectionId)
    .where("destroyed_at", "is", null);
  if (version !== 0) live = live.where("version", "=", version);
  const rows = await live.orderBy("version").forUpdate().execute();
  if (rows.length === 0) return [];
  await db
    .updateTable("credential_versions")
    .set({ key_id: null, wrapped_key: null, nonce: null, ciphertext: null, tag: null, destroyed_at: new Date() })
    .where("org_id", "=", orgId)
    .where("connection_id", "=", connectionId)
    .where(
      "version",
      "in",
      rows.map((r) => r.version),
    )
    .execute();
  return rows.map((r) => ({ version: r.version, keyId: r.key_id ?? "", wrappedKey: r.wrapped_key ?? new Uint8Array() }));
}

/**
 * claimRewrapBatch locks up to `limit` live versions whose data key is not
 * under `targetKeyId`. SKIP LOCKED lets several rewrap runs share the work.
 */
export async function claimRewrapBatch(db: Db, targetKeyId: string, limit: number): Promise<CredentialVersionRow[]> {
  return db
    .selectFrom("credential_versions")
    .selectAll()
    .where("destroyed_at", "is", null)
    .where("key_id", "<>", targetKeyId)
    .orderBy("org_id")
    .orderBy("connection_id")
    .orderBy("version")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** updateWrappedKey replaces a version's wrapped data key after a rewrap. */
export async function updateWrappedKey(
  db: Db,
  row: Pick<CredentialVersionRow, "org_id" | "connection_id" | "version">,
  wrappedKey: Uint8Array,
  keyId: string,
): Promise<void> {
  await db
    .updateTable("credential_versions")
    .set({ wrapped_key: wrappedKey, key_id: keyId, rewrapped_at: new Date() })
    .where("org_id", "=", row.org_id)
    .where("connection_id", "=", row.connection_id)
    .where("version", "=", row.version)
    .execute();
}

/** countNotUnderKey counts live versions whose data key is under another key. */
export async function countNotUnderKey(db: Db, targetKeyId: string): Promise<number> {
  const row = await db
    .selectFrom("credential_versions")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("destroyed_at", "is", null)
    .where("key_id", "<>", targetKeyId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
