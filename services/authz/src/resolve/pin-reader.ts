import { sql, type Kysely } from "kysely";
import { createBatcher } from "@planton/db";
import type { AuthzDatabase, PinRow } from "../schema.js";

/** Reads deployments' live pins; every read goes to the database (pins are never cached). */
export interface PinReader {
  /** The live (unexpired) pin of a deployment, if any, as of a read started after this call. */
  live(orgId: string, deploymentId: string): Promise<PinRow | undefined>;
}

/**
 * Creates the {@link PinReader}. Concurrent reads go to PostgreSQL as one
 * statement (`unnest` of the keys, so its text is the same for every batch
 * size); a read never starts before the call that wants it, so a pin released
 * or replaced before the call is never returned.
 */
export function createPinReader(db: Kysely<AuthzDatabase>): PinReader {
  const batcher = createBatcher<{ orgId: string; deploymentId: string }, PinRow | undefined>({
    maxBatch: 512,
    maxInFlight: 1,
    lingerMs: 1,
    async run(keys) {
      const rows = await db
        .selectFrom("deployment_pins")
        .selectAll()
        .where(sql<boolean>`(org_id, deployment_id) in (select * from unnest(${keys.map((k) => k.orgId)}::text[], ${keys.map((k) => k.deploymentId)}::text[]))`)
        .where("expires_at", ">", new Date())
        .execute();
      const byKey = new Map(rows.map((row) => [keyOf(row.org_id, row.deployment_id), row]));
      return keys.map((k) => byKey.get(keyOf(k.orgId, k.deploymentId)));
    },
  });
  return { live: (orgId, deploymentId) => batcher.add({ orgId, deploymentId }) };
}

function keyOf(orgId: string, deploymentId: string): string {
  return `${orgId}\u0000${deploymentId}`;
}
