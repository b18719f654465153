import { sql, type Kysely, type Transaction } from "kysely";
import type { ConnectionRow, ConnectionsTable, RegistryDatabase } from "./schema.js";
import type { Insertable, Updateable } from "kysely";
import type { OutboxTable } from "@planton/events";
import type { PageCursor } from "./page-token.js";
import { expiryWarningInterval, maxAgeInterval, type RotationPolicy } from "./rotation/rotation-policy.js";

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/** Connection ids start with the provider prefix: anything else is a slug. */
export const ID_SHAPE = /^[a-z]+conn_[0-9a-z]{26}$/;

/** findConnection looks a connection up by id or slug within one organization. */
export async function findConnection(db: Db, orgId: string, reference: string): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom("connections")
    .selectAll()
    .where("org_id", "=", orgId)
    .where(ID_SHAPE.test(reference) ? "id" : "slug", "=", reference)
    .executeTakeFirst();
}

/**
 * lockConnection reads a connection of the organization and holds its row
 * lock (SELECT ... FOR UPDATE) until the transaction `trx` ends: writers of
 * one connection that hold it run one after another.
 */
export async function lockConnection(trx: Transaction<RegistryDatabase>, orgId: string, id: string): Promise<ConnectionRow | undefined> {
  return trx.selectFrom("connections").selectAll().where("org_id", "=", orgId).where("id", "=", id).forUpdate().executeTakeFirst();
}

/**
 * insertConnectionWithEvent stores a new connection and the outbox row of the
 * event that announces it in one statement (data-modifying CTEs: both rows
 * commit together or neither does), and returns the stored connection. One
 * round trip instead of BEGIN, two INSERTs, COMMIT and a re-read.
 */
export async function insertConnectionWithEvent(db: Db, row: Insertable<ConnectionsTable>, event: Insertable<OutboxTable>): Promise<ConnectionRow> {
  return db
    .with("event", (qc) => qc.insertInto("outbox").values(event))
    .with("inserted", (qc) => qc.insertInto("connections").values(row).returningAll())
    .selectFrom("inserted")
    .selectAll()
    .executeTakeFirstOrThrow();
}

/**
 * creationChecks answers, in one statement, what a create must know before
 * it seals anything: whether the org already has a connection with this
 * name or slug, and the oldest five of its connections on `accountKey` (the
 * duplicate-account advice; none when `accountKey` is null).
 */
export async function creationChecks(
  db: Db,
  orgId: string,
  name: string,
  slug: string,
  accountKey: string | null,
): Promise<{ taken: boolean; sameAccount: string[] }> {
  const sameAccount =
    accountKey === null
      ? sql<string[]>`'{}'::text[]`
      : sql<
          string[]
        >`array(${db.selectFrom("connections").select("slug").where("org_id", "=", orgId).where("account_key", "=", accountKey).orderBy("created_at").limit(5)})`;
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom("connections")
            .select("id")
            .where("org_id", "=", orgId)
            .where((w) => w.or([w("name", "=", name), w("slug", "=", slug)])),
        )
        .as("taken"),
      sameAccount.as("same_account"),
    ])
    .executeTakeFirstOrThrow();
  return { taken: row.taken === true, sameAccount: row.same_account };
}

/** insertConnection stores a new connection. */
export async function insertConnection(db: Db, row: Insertable<ConnectionsTable>): Promise<void> {
  await db.insertInto("connections").values(row).execute();
}

/**
 * updateConnectionIfEtag applies `changes` only while the row still has
 * `etag`; returns false when another writer got there first.
 */
export async function updateConnectionIfEtag(db: Db, orgId: string, id: string, etag: string, changes: Updateable<ConnectionsTable>): Promise<boolean> {
  const result = await db.updateTable("connections").set(changes).where("org_id", "=", orgId).where("id", "=", id).where("etag", "=", etag).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * recordStatusIfVersion writes system-owned status (verification result,
 * next re-verification) only while the connection's current credential
 * version is still `credentialVersion`, and in the same statement the
 * outbox row `event` that announces it (written only if the update was);
 * returns the updated connection, or undefined when the version moved on.
 * One statement: the event's insert reads the update's result, so it runs
 * after the row is locked and updated (outbox order follows commit order
 * per connection). It never touches the etag: the etag guards what users
 * change, not what the system records.
 */
export async function recordStatusIfVersion(
  db: Db,
  orgId: string,
  id: string,
  credentialVersion: number,
  changes: Pick<
    Updateable<ConnectionsTable>,
    "status" | "last_verification" | "next_verification_at" | "updated_at" | "credential_created_at" | "credential_expires_at"
  >,
  event: Insertable<OutboxTable>,
): Promise<ConnectionRow | undefined> {
  return db
    .with("updated", (qc) =>
      qc
        .updateTable("connections")
        .set(changes)
        .where("org_id", "=", orgId)
        .where("id", "=", id)
        .where("credential_version", "=", credentialVersion)
        .returningAll(),
    )
    .with("event", (qc) =>
      qc
        .insertInto("outbox")
        .columns(["id", "subject", "ordering_key", "payload", "traceparent", "tracestate"])
        .expression((eb) =>
          eb
            .selectFrom("updated")
            // Typed parameters: in INSERT ... SELECT, PostgreSQL does not take their types from the columns.
            .select([
              sql<string>`${event.id}::uuid`.as("id"),
              sql<string>`${event.subject}::text`.as("subject"),
              sql<string>`${event.ordering_key}::text`.as("ordering_key"),
              sql<Uint8Array>`${event.payload}::bytea`.as("payload"),
              sql<string | null>`${event.traceparent ?? null}::text`.as("traceparent"),
              sql<string | null>`${event.tracestate ?? null}::text`.as("tracestate"),
            ]),
        ),
    )
    .selectFrom("updated")
    .selectAll()
    .executeTakeFirst();
}

/** deleteConnectionIfEtag deletes while the row still has `etag`; false otherwise. */
export async function deleteConnectionIfEtag(db: Db, orgId: string, id: string, etag: string): Promise<boolean> {
  const result = await db.deleteFrom("connections").where("org_id", "=", orgId).where("id", "=", id).where("etag", "=", etag).executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** Filters of {@link listConnections}. */
export interface ConnectionFilter {
  readonly provider?: number;
  readonly status?: number;
  /** Only connections whose current credential passed one of these thresholds (see rotation-policy.ts). */
  readonly rotationDue?: RotationPolicy;
}

/**
 * listConnections returns up to `limit` connections after `cursor`, ordered
 * by (created_at, id): stable while rows are added or removed.
 */
export async function listConnections(
  db: Db,
  orgId: string,
  filter: ConnectionFilter,
  cursor: PageCursor | undefined,
  limit: number,
): Promise<ConnectionRow[]> {
  let query = db.selectFrom("connections").selectAll().where("org_id", "=", orgId);
  if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.rotationDue !== undefined) {
    const policy = filter.rotationDue;
    // The same rule as rotationDueReasons, in SQL.
    query = query
      .where("credential_sealed_at", "is not", null)
      .where((eb) =>
        eb.or([
          eb(sql`coalesce(credential_created_at, credential_sealed_at)`, "<=", sql<Date>`now() - ${maxAgeInterval(policy)}::interval`),
          eb("credential_expires_at", "<=", sql<Date>`now() + ${expiryWarningInterval(policy)}::interval`),
        ]),
      );
  }
  if (cursor !== undefined) {
    query = query.where(sql<boolean>`(created_at, id) > (${cursor.createdAt}, ${cursor.id})`);
  }
  return query.orderBy("created_at").orderBy("id").limit(limit).execute();
}

/** slugsWithAccount lists other connections of the org that reach the same cloud account. */
export async function slugsWithAccount(db: Db, orgId: string, accountKey: string, exceptId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("connections")
    .select("slug")
    .where("org_id", "=", orgId)
    .where("account_key", "=", accountKey)
    .where("id", "<>", exceptId)
    .orderBy("created_at")
    .limit(5)
    .execute();
  return rows.map((r) => r.slug);
}

/** nameOrSlugTaken tells whether another connection of the org has this name or slug. */
export async function nameOrSlugTaken(db: Db, orgId: string, name: string, slug: string | undefined, exceptId?: string): Promise<boolean> {
  let query = db
    .selectFrom("connections")
    .select("id")
    .where("org_id", "=", orgId)
    .where((eb) => (slug !== undefined ? eb.or([eb("name", "=", name), eb("slug", "=", slug)]) : eb("name", "=", name)));
  if (exceptId !== undefined) query = query.where("id", "<>", exceptId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** connectionSlugsUsingRunner lists connections that reference a runner. */
export async function connectionSlugsUsingRunner(db: Db, orgId: string, runnerId: string): Promise<string[]> {
  const rows = await db.selectFrom("connections").select("slug").where("org_id", "=", orgId).where("runner_id", "=", runnerId).execute();
  return rows.map((r) => r.slug);
}
