import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { badRequest, Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { nameOrSlugTaken } from "../connection-store.js";
import { connectionWarnings } from "../connection-warnings.js";
import { NameTakenError, StaleEtagError } from "../errors.js";
import { checkName } from "../request-rules.js";
import { commitUpdateOrRotation } from "./commit-update-or-rotation.js";
import type { ConnectionWithWarnings } from "./connection-with-warnings.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { loadConnection } from "./load-connection.js";
import { planSpecUpdate, type SpecUpdatePlan } from "./plan-spec-update.js";
import { toConnection } from "./to-connection.js";

/** Inputs of {@link updateConnection}. */
export interface UpdateInput {
  readonly reference: string;
  readonly etag: string;
  readonly name: string;
  readonly spec: ConnectionSpec | undefined;
  readonly paths: readonly string[];
}

/**
 * UpdateConnection: a rename (`name`) and/or a change of the spec
 * (`spec.*` paths), conditional on the etag the caller read. Every check
 * (request, name, spec) comes before any vault call, so a refused update
 * leaves no sealed version behind; the write itself is
 * {@link commitUpdateOrRotation}.
 */
export async function updateConnection(
  deps: Pick<ConnectionsDeps, "db" | "vault" | "logger" | "runnerKind" | "onCommit" | "rotation">,
  caller: Caller,
  input: UpdateInput,
  signal?: AbortSignal,
): Promise<ConnectionWithWarnings & { rotated: boolean }> {
  const v = new Violations()
    .check(input.reference !== "", "connection", "REQUIRED", "is required")
    .check(input.etag !== "", "etag", "REQUIRED", "is required (read the connection first)")
    .check(input.paths.length > 0, "update_mask", "REQUIRED", "must name at least one field")
    .check(
      input.paths.every((p) => p === "name" || p.startsWith("spec.")),
      "update_mask",
      "UNKNOWN_FIELD",
      'paths must be "name" or start with "spec."',
    );
  v.throwIfAny();
  const row = await loadConnection(deps.db, caller, input.reference);
  if (row.etag !== input.etag) throw new StaleEtagError();
  const renaming = input.paths.includes("name");
  const name = renaming ? input.name : row.name;
  const nameViolations = renaming ? checkName(new Violations(), "name", name).list() : [];
  const specPaths = input.paths.filter((p) => p.startsWith("spec."));
  // Before any vault call: a refused rename must not leave a sealed version behind.
  if (renaming && nameViolations.length === 0 && name !== row.name && (await nameOrSlugTaken(deps.db, caller.orgId, name, undefined, row.id))) {
    throw new NameTakenError("connection", name);
  }

  let spec: SpecUpdatePlan | undefined;
  if (specPaths.length > 0) {
    spec = await planSpecUpdate(deps, caller.orgId, row, input.spec, specPaths, nameViolations, signal);
  } else if (nameViolations.length > 0) {
    throw badRequest(nameViolations);
  }

  const { rotated } = await commitUpdateOrRotation(deps, caller, row, { reference: input.reference, etag: input.etag, name, paths: input.paths, spec }, signal);
  deps.onCommit();
  const after = await loadConnection(deps.db, caller, row.id);
  const warnings =
    renaming || spec ? await connectionWarnings(deps.db, { orgId: caller.orgId, id: row.id, name, provider: row.provider, accountKey: after.account_key }) : [];
  return { connection: toConnection(after, deps.rotation), warnings, rotated };
}
