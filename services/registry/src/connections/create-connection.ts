import { toJson } from "@bufbuild/protobuf";
import { outboxRow } from "@planton/events";
import { ConnectionDetailsSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { idPrefixOf, normalizeSpec } from "@planton/providers";
import { Violations } from "@planton/server";
import { bestEffort } from "../best-effort.js";
import type { Caller } from "../caller.js";
import { creationChecks, insertConnectionWithEvent } from "../connection-store.js";
import { warningsWith } from "../connection-warnings.js";
import { NameTakenError } from "../errors.js";
import { newEtag, newId, slugify } from "../ids.js";
import { connectionEvent } from "../registry-events.js";
import { checkName, isUniqueViolation } from "../request-rules.js";
import { checkSpec, runnerGone } from "./check-spec.js";
import type { ConnectionWithWarnings } from "./connection-with-warnings.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { isForeignKeyViolation } from "./pg-errors.js";
import { initialStatus, storedParts } from "./stored-parts.js";
import { toConnection } from "./to-connection.js";
import type { ConnectionRow } from "../schema.js";

/**
 * CreateConnection: checks the name and spec, seals the secret half in the
 * vault (nothing to seal in runner mode), then writes the row and the
 * `connection.created` event in one statement. Four statements in all: the
 * checks, the seal's two (see Vault.seal), the write.
 */
export async function createConnection(
  deps: Pick<ConnectionsDeps, "db" | "vault" | "logger" | "runnerKind" | "onCommit" | "rotation">,
  caller: Caller,
  name: string,
  spec: ConnectionSpec | undefined,
  signal?: AbortSignal,
): Promise<ConnectionWithWarnings> {
  const nameViolations = checkName(new Violations(), "name", name);
  const slug = slugify(name);
  await checkSpec(deps, caller.orgId, spec, nameViolations.list());
  const full = normalizeSpec(spec!);
  const parts = storedParts(full);
  // One statement: the name check and the duplicate-account advice.
  const checks = await creationChecks(deps.db, caller.orgId, name, slug, parts.accountKey);
  if (checks.taken) throw new NameTakenError("connection", name);
  const id = newId(idPrefixOf(parts.provider));
  // Seal first: the vault call must not hold a database transaction open.
  const version = parts.secretPayload ? await deps.vault.seal(caller.orgId, id, parts.secretPayload, signal) : 0;
  const now = new Date();
  let row: ConnectionRow;
  try {
    // The row and its event in one statement (see insertConnectionWithEvent).
    row = await insertConnectionWithEvent(
      deps.db,
      {
        id,
        org_id: caller.orgId,
        name,
        slug,
        provider: parts.provider,
        auth_mode: parts.authMode,
        public_spec: JSON.stringify(toJson(ConnectionSpecSchema, parts.publicSpec)),
        details: JSON.stringify(toJson(ConnectionDetailsSchema, parts.details)),
        runner_id: parts.runnerId,
        account_key: parts.accountKey,
        credential_version: version,
        credential_sealed_at: version > 0 ? now : null,
        status: initialStatus(parts.authMode),
        last_verification: null,
        etag: newEtag(),
        created_at: now,
        updated_at: now,
      },
      outboxRow(
        connectionEvent("connection.created", caller, {
          connectionId: id,
          slug,
          name,
          provider: parts.provider,
          authMode: parts.authMode,
          credentialVersion: version,
        }),
      ),
    );
  } catch (error) {
    if (version > 0) await bestEffort(deps.logger, "destroy orphaned credential", () => deps.vault.destroy(caller.orgId, id, 0));
    if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
    // The runner was deleted between the check and the insert (foreign key).
    if (isForeignKeyViolation(error)) throw runnerGone(full);
    throw error;
  }
  deps.onCommit();
  return { connection: toConnection(row, deps.rotation), warnings: warningsWith({ name, provider: parts.provider }, checks.sameAccount) };
}
