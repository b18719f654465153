import type { Kysely } from "kysely";
import { startPeriodicPass, type PeriodicPass } from "@planton/db";
import type { Logger } from "@planton/logging";
import type { AuthzDatabase } from "./schema.js";

/** What the job needs from the vault. */
export interface VersionDestroyer {
  destroy(orgId: string, connectionId: string, version: number): Promise<void>;
}

/** A running sweep: `runOnce()` for one pass now, `stop()`. */
export type RetentionJob = PeriodicPass;

/**
 * startRetentionJob destroys, in the vault, credential versions that are no
 * longer current (retired by a rotation) once they have been retired longer
 * than `retentionMs` and no live pin holds them. Safe on several replicas:
 * each pass claims rows with FOR UPDATE SKIP LOCKED, and destroying a version
 * twice is a no-op in the vault. A pinned version is left for a later pass.
 */
export function startRetentionJob(options: {
  db: Kysely<AuthzDatabase>;
  vault: VersionDestroyer;
  logger: Logger;
  retentionMs: number;
  intervalMs: number;
  batchSize?: number;
}): RetentionJob {
  const batch = options.batchSize ?? 100;
  const pass = async (): Promise<number> => {
    let destroyed = 0;
    const cutoff = new Date(Date.now() - options.retentionMs);
    await options.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("retired_versions")
        .selectAll()
        .where("retired_at", "<=", cutoff)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("deployment_pins")
                .select("deployment_id")
                .whereRef("deployment_pins.org_id", "=", "retired_versions.org_id")
                .whereRef("deployment_pins.connection_id", "=", "retired_versions.connection_id")
                .whereRef("deployment_pins.credential_version", "=", "retired_versions.version")
                .where("deployment_pins.expires_at", ">", new Date()),
            ),
          ),
        )
        .orderBy("retired_at")
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        await options.vault.destroy(row.org_id, row.connection_id, row.version);
        await trx
          .deleteFrom("retired_versions")
          .where("org_id", "=", row.org_id)
          .where("connection_id", "=", row.connection_id)
          .where("version", "=", row.version)
          .execute();
        destroyed++;
      }
    });
    if (destroyed > 0) options.logger.info({ destroyed }, "retired credential versions destroyed");
    return destroyed;
  };
  return startPeriodicPass({ pass, intervalMs: options.intervalMs, logger: options.logger, what: "retention pass" });
}
