import { insertOutboxEvent } from "@planton/events";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { deleteConnectionIfEtag } from "../connection-store.js";
import { ConnectionInUseError, StaleEtagError } from "../errors.js";
import { connectionEvent } from "../registry-events.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { loadConnection } from "./load-connection.js";

/**
 * DeleteConnection: conditional on the etag; refused (FAILED_PRECONDITION)
 * while deployments are pinned to the connection unless `force`. The vault
 * shreds every sealed version in the same unit as the row's deletion.
 */
export async function deleteConnection(
  deps: Pick<ConnectionsDeps, "db" | "vault" | "onCommit" | "countPins">,
  caller: Caller,
  reference: string,
  etag: string,
  force: boolean,
  signal?: AbortSignal,
): Promise<void> {
  new Violations()
    .check(reference !== "", "connection", "REQUIRED", "is required")
    .check(etag !== "", "etag", "REQUIRED", "is required (read the connection first)")
    .throwIfAny();
  const row = await loadConnection(deps.db, caller, reference);
  if (row.etag !== etag) throw new StaleEtagError();
  if (!force && deps.countPins) {
    const pinned = await deps.countPins(caller.orgId, row.id, signal);
    if (pinned > 0) throw new ConnectionInUseError(row.slug, pinned);
  }
  // The row goes and the vault shreds every version in one unit: the
  // transaction commits only after the vault confirmed, so a vault outage
  // leaves the connection (and its secrets) intact and the call retryable.
  await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteConnectionIfEtag(trx, caller.orgId, row.id, etag))) throw new StaleEtagError();
    await insertOutboxEvent(
      trx,
      connectionEvent("connection.deleted", caller, {
        connectionId: row.id,
        slug: row.slug,
        provider: row.provider,
        authMode: row.auth_mode,
        credentialVersion: row.credential_version,
        name: row.name,
        forced: force,
      }),
    );
    await deps.vault.destroy(caller.orgId, row.id, 0, signal);
  });
  deps.onCommit();
}
