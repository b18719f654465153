import { toJson } from "@bufbuild/protobuf";
import { sql } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import { ConnectionDetailsSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { bestEffort } from "../best-effort.js";
import type { Caller } from "../caller.js";
import { lockConnection, updateConnectionIfEtag } from "../connection-store.js";
import { ConnectionNotFoundError, NameTakenError, StaleEtagError } from "../errors.js";
import { newEtag } from "../ids.js";
import { connectionEvent } from "../registry-events.js";
import { isUniqueViolation } from "../request-rules.js";
import type { ConnectionRow } from "../schema.js";
import { runnerGone } from "./check-spec.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { isForeignKeyViolation, isLockTimeout } from "./pg-errors.js";
import type { SpecUpdatePlan } from "./plan-spec-update.js";
import { initialStatus } from "./stored-parts.js";

/**
 * How long an update waits for another writer's lock on the same connection
 * before giving up with ABORTED: longer than one vault call (the RPC vault
 * client's deadline is 10 s), so a waiter normally sees the holder finish.
 */
const LOCK_WAIT_MS = 15_000;

/** A checked update of `row`, ready to be written. */
export interface UpdateCommit {
  /** The reference the caller sent (for NOT_FOUND). */
  readonly reference: string;
  readonly etag: string;
  readonly name: string;
  /** The update mask's paths, for the event (what changed, never the values). */
  readonly paths: readonly string[];
  /** Undefined when the update does not touch the spec. */
  readonly spec: SpecUpdatePlan | undefined;
}

/**
 * Writes an update, sealing a new credential version first when the plan
 * needs one: a rotation (`connection.rotated`, status back to pending
 * verification) when the version changes, else `connection.updated`.
 * Returns whether it rotated. Stale etag or a lock wait past LOCK_WAIT_MS:
 * ABORTED, with no version left sealed.
 */
export async function commitUpdateOrRotation(
  deps: Pick<ConnectionsDeps, "db" | "vault" | "logger">,
  caller: Caller,
  row: ConnectionRow,
  update: UpdateCommit,
  signal?: AbortSignal,
): Promise<{ rotated: boolean }> {
  const { etag, name } = update;
  const parts = update.spec?.parts;
  // Check, seal and write under the connection's row lock, in one short
  // transaction. Concurrent writers that all read the same etag queue on
  // the lock; the first one seals and commits a new etag, and every later
  // one finds the etag changed BEFORE calling the vault: a refused update
  // seals nothing, destroys nothing and costs no KMS data key. (The
  // alternative, a conditional claim before the seal, would need a claim
  // column and a way to release a claim left by a crashed writer; the
  // lock is released by PostgreSQL whatever happens.) The price is a
  // transaction held across one vault call, bounded by the vault client's
  // deadline, and waiters bounded by LOCK_WAIT_MS.
  let version = row.credential_version;
  let sealed = false;
  let rotated = false;
  try {
    await deps.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = ${sql.lit(`${LOCK_WAIT_MS}ms`)}`.execute(trx);
      const locked = await lockConnection(trx, caller.orgId, row.id);
      if (locked === undefined) throw new ConnectionNotFoundError(update.reference);
      if (locked.etag !== etag) throw new StaleEtagError();
      if (update.spec?.needsSeal) {
        version = parts!.secretPayload ? await deps.vault.seal(caller.orgId, row.id, parts!.secretPayload, signal) : 0;
        sealed = version > 0;
        rotated = version !== row.credential_version;
      }
      const updated = await updateConnectionIfEtag(trx, caller.orgId, row.id, etag, {
        name,
        ...(parts
          ? {
              auth_mode: parts.authMode,
              public_spec: JSON.stringify(toJson(ConnectionSpecSchema, parts.publicSpec)),
              details: JSON.stringify(toJson(ConnectionDetailsSchema, parts.details)),
              runner_id: parts.runnerId,
              account_key: parts.accountKey,
            }
          : {}),
        ...(rotated
          ? {
              credential_version: version,
              status: initialStatus(parts!.authMode),
              last_verification: null,
              next_verification_at: null,
              // A new version starts its own age; the provider's dates come with its verification.
              credential_sealed_at: version > 0 ? new Date() : null,
              credential_created_at: null,
              credential_expires_at: null,
            }
          : {}),
        etag: newEtag(),
        updated_at: new Date(),
      });
      // Unreachable while the lock is held; kept so a change to the locking cannot silently lose a write.
      if (!updated) throw new StaleEtagError();
      await insertOutboxEvent(
        trx,
        connectionEvent(rotated ? "connection.rotated" : "connection.updated", caller, {
          connectionId: row.id,
          slug: row.slug,
          provider: row.provider,
          authMode: parts?.authMode ?? row.auth_mode,
          credentialVersion: version,
          previousCredentialVersion: row.credential_version,
          // For the audit log: what changed, never the values.
          updatePaths: [...update.paths],
          name,
          previousName: name !== row.name ? row.name : "",
        }),
      );
    });
  } catch (error) {
    if (sealed) await bestEffort(deps.logger, "destroy unused credential version", () => deps.vault.destroy(caller.orgId, row.id, version));
    if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
    if (isForeignKeyViolation(error) && parts) throw runnerGone(parts.publicSpec);
    // Another writer held the connection for longer than LOCK_WAIT_MS: it is changing it.
    if (isLockTimeout(error)) throw new StaleEtagError();
    throw error;
  }
  return { rotated };
}
