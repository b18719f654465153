import { sql, type Kysely } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import { startPeriodicPass, type PeriodicPass } from "@planton/db";
import type { Logger } from "@planton/logging";
import { connectionEvent } from "./registry-events.js";
import type { RegistryDatabase } from "./schema.js";

/** A running sweep: `runOnce()` for one pass now, `stop()`. */
export type ReverificationScheduler = PeriodicPass;

/**
 * startReverificationScheduler queues connections whose next periodic
 * verification is due: for each, a `connection.reverify` event (same payload
 * as created/rotated: the current credential version) goes into the outbox,
 * and the due time moves a full interval ahead so the connection is not
 * queued again before its result comes back. The due times are spread when
 * results are recorded, and each pass takes a bounded batch, so connections
 * are not all re-verified at once. Safe on several replicas (FOR UPDATE SKIP
 * LOCKED).
 */
export function startReverificationScheduler(options: {
  db: Kysely<RegistryDatabase>;
  logger: Logger;
  intervalMs: number;
  tickMs: number;
  batchSize?: number;
  onCommit: () => void;
}): ReverificationScheduler {
  const batch = options.batchSize ?? 100;
  const pass = async () => {
    const queued = await options.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom("connections")
        .select(["id", "org_id", "slug", "provider", "auth_mode", "credential_version"])
        .where("next_verification_at", "<=", new Date())
        .orderBy("next_verification_at")
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of due) {
        await trx
          .updateTable("connections")
          .set({ next_verification_at: sql<Date>`now() + ${`${options.intervalMs} milliseconds`}::interval` })
          .where("id", "=", row.id)
          .execute();
        await insertOutboxEvent(
          trx,
          connectionEvent(
            "connection.reverify",
            { orgId: row.org_id, subject: "scheduler" },
            {
              connectionId: row.id,
              slug: row.slug,
              provider: row.provider,
              authMode: row.auth_mode,
              credentialVersion: row.credential_version,
            },
          ),
        );
      }
      return due.length;
    });
    if (queued > 0) {
      options.onCommit();
      options.logger.info({ queued }, "connections queued for periodic re-verification");
    }
    return queued;
  };
  return startPeriodicPass({ pass, intervalMs: options.tickMs, logger: options.logger, what: "re-verification pass" });
}
