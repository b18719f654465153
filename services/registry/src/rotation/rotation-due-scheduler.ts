import { sql, type Kysely } from "kysely";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { startPeriodicPass, type PeriodicPass } from "@planton/db";
import { insertOutboxEvent } from "@planton/events";
import type { Logger } from "@planton/logging";
import { rotationDueEvent } from "../registry-events.js";
import type { RegistryDatabase } from "../schema.js";
import { expiryWarningInterval, maxAgeInterval, rotationDueReasons, type RotationPolicy } from "./rotation-policy.js";
import { RotationDueReason } from "@planton/proto/planton/connect/v1/connection_pb";

/** The platform actor named in rotation_due events (no caller caused them). */
const SCHEDULER_ACTOR = "rotation-scheduler";

/** A running sweep: `runOnce()` for one pass now (resolves with the events queued), `stop()`. */
export type RotationDueScheduler = PeriodicPass;

/**
 * startRotationDueScheduler looks every `tickMs` for connections whose
 * current credential version passed a threshold of `policy` (its age, or
 * days before its expiry) and queues one `connection.rotation_due` event per
 * version and reason through the outbox. What was queued is recorded in
 * `rotation_notices` in the same transaction, keyed by (connection, version,
 * reason): a restart, a second pass or another replica never queues it
 * again, and a rotation (a new version) starts afresh. Replicas split the
 * due rows (FOR UPDATE SKIP LOCKED); each pass takes a bounded batch.
 */
export function startRotationDueScheduler(options: {
  db: Kysely<RegistryDatabase>;
  logger: Logger;
  policy: RotationPolicy;
  tickMs: number;
  batchSize?: number;
  onCommit: () => void;
}): RotationDueScheduler {
  const batch = options.batchSize ?? 100;
  const pass = async () => {
    const queued = await options.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom("connections")
        .select([
          "id",
          "org_id",
          "slug",
          "name",
          "provider",
          "auth_mode",
          "credential_version",
          "credential_sealed_at",
          "credential_created_at",
          "credential_expires_at",
          // The database's clock, the same one the filter used.
          sql<Date>`now()`.as("db_now"),
        ])
        .where("credential_version", ">", 0)
        .where("credential_sealed_at", "is not", null)
        .where((eb) => {
          // Through the builder, not raw SQL, so the schema of the connection applies to the table.
          const noticeMissing = (reason: RotationDueReason) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom("rotation_notices as n")
                  .select("n.reason")
                  .whereRef("n.connection_id", "=", "connections.id")
                  .whereRef("n.credential_version", "=", "connections.credential_version")
                  .where("n.reason", "=", reason),
              ),
            );
          return eb.or([
            eb.and([
              eb(sql`coalesce(credential_created_at, credential_sealed_at)`, "<=", sql`now() - ${maxAgeInterval(options.policy)}::interval`),
              noticeMissing(RotationDueReason.AGE),
            ]),
            eb.and([
              eb("credential_expires_at", "<=", sql<Date>`now() + ${expiryWarningInterval(options.policy)}::interval`),
              noticeMissing(RotationDueReason.EXPIRY),
            ]),
          ]);
        })
        .orderBy("id")
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      let events = 0;
      for (const row of due) {
        const dates = { sealedAt: row.credential_sealed_at, createdAt: row.credential_created_at, expiresAt: row.credential_expires_at };
        for (const reason of rotationDueReasons(dates, options.policy, row.db_now)) {
          const envelope = rotationDueEvent(
            { orgId: row.org_id, subject: SCHEDULER_ACTOR },
            {
              connectionId: row.id,
              slug: row.slug,
              name: row.name,
              provider: row.provider,
              authMode: row.auth_mode,
              credentialVersion: row.credential_version,
              reason,
              ...(row.credential_sealed_at ? { sealTime: timestampFromDate(row.credential_sealed_at) } : {}),
              ...(row.credential_created_at ? { createTime: timestampFromDate(row.credential_created_at) } : {}),
              ...(row.credential_expires_at ? { expireTime: timestampFromDate(row.credential_expires_at) } : {}),
            },
          );
          // The primary key decides: only the pass that records the notice queues the event.
          const recorded = await trx
            .insertInto("rotation_notices")
            .values({ connection_id: row.id, credential_version: row.credential_version, reason, event_id: envelope.id })
            .onConflict((oc) => oc.columns(["connection_id", "credential_version", "reason"]).doNothing())
            .returning("event_id")
            .executeTakeFirst();
          if (recorded === undefined) continue;
          await insertOutboxEvent(trx, envelope);
          events++;
        }
      }
      return events;
    });
    if (queued > 0) {
      options.onCommit();
      options.logger.info({ queued }, "connection.rotation_due events queued");
    }
    return queued;
  };
  return startPeriodicPass({ pass, intervalMs: options.tickMs, logger: options.logger, what: "rotation-due pass" });
}
