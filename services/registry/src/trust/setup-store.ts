import type { Insertable, Kysely, Transaction } from "kysely";
import { AwsTrustSetupState } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { AwsTrustSetupRow, AwsTrustSetupsTable, RegistryDatabase } from "../schema.js";

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/** findSetup reads a setup by id; `orgId` scopes it to an organization (omitted only for the token-authenticated callback). */
export async function findSetup(db: Db, setupId: string, orgId?: string): Promise<AwsTrustSetupRow | undefined> {
  let query = db.selectFrom("aws_trust_setups").selectAll().where("id", "=", setupId);
  if (orgId !== undefined) query = query.where("org_id", "=", orgId);
  return query.executeTakeFirst();
}

/** insertSetup stores a new setup. */
export async function insertSetup(db: Db, row: Insertable<AwsTrustSetupsTable>): Promise<void> {
  await db.insertInto("aws_trust_setups").values(row).execute();
}

/**
 * supersedePending marks every pending setup of a connection SUPERSEDED and
 * returns their pending vault versions (to shred once committed).
 */
export async function supersedePending(db: Db, connectionId: string): Promise<number[]> {
  const rows = await db
    .updateTable("aws_trust_setups")
    .set({ state: AwsTrustSetupState.SUPERSEDED })
    .where("connection_id", "=", connectionId)
    .where("state", "=", AwsTrustSetupState.PENDING)
    .returning("pending_version")
    .execute();
  return rows.map((r) => r.pending_version);
}

/**
 * claimCompletion moves a setup from PENDING to COMPLETED if, and only if,
 * it is still pending and unexpired at `now`: the single-use guarantee of the
 * callback token. False when another completion, a supersede or the expiry
 * got there first.
 */
export async function claimCompletion(
  db: Db,
  setupId: string,
  now: Date,
  result: { roleArn: string; stackId: string; completedVersion: number },
): Promise<boolean> {
  const updated = await db
    .updateTable("aws_trust_setups")
    .set({
      state: AwsTrustSetupState.COMPLETED,
      completed_at: now,
      role_arn: result.roleArn,
      stack_id: result.stackId,
      completed_version: result.completedVersion,
    })
    .where("id", "=", setupId)
    .where("state", "=", AwsTrustSetupState.PENDING)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/**
 * expireDue marks up to `limit` pending setups whose time ran out EXPIRED
 * and returns them (their pending versions are shredded by the caller).
 * Safe on several replicas: rows are claimed with FOR UPDATE SKIP LOCKED.
 */
export async function expireDue(
  db: Kysely<RegistryDatabase>,
  now: Date,
  limit: number,
): Promise<Pick<AwsTrustSetupRow, "org_id" | "connection_id" | "pending_version">[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom("aws_trust_setups")
      .select(["id", "org_id", "connection_id", "pending_version"])
      .where("state", "=", AwsTrustSetupState.PENDING)
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length > 0) {
      await trx
        .updateTable("aws_trust_setups")
        .set({ state: AwsTrustSetupState.EXPIRED })
        .where(
          "id",
          "in",
          due.map((d) => d.id),
        )
        .execute();
    }
    return due;
  });
}
