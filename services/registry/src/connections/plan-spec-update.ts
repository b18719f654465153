import { equals, fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { AwsCrossAccountTrustSchema, ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { applyUpdateMask, mergeSecrets, normalizeSpec } from "@planton/providers";
import { badRequest, type FieldViolation } from "@planton/server";
import type { ConnectionRow } from "../schema.js";
import { checkSpec } from "./check-spec.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { storedParts, type StoredParts } from "./stored-parts.js";

/** What an update does to the spec: the new row parts, and whether they need a new sealed version. */
export interface SpecUpdatePlan {
  readonly parts: StoredParts;
  /**
   * The secrets or the auth mode changed: the commit seals the new secret
   * half (version 0 when the new mode has none); a changed version is a rotation.
   */
  readonly needsSeal: boolean;
}

/**
 * Applies the update mask's `spec.*` paths to the stored spec (its secrets
 * opened from the vault) and checks the result. Throws INVALID_ARGUMENT with
 * the mask's or the spec's violations, `nameViolations` first.
 */
export async function planSpecUpdate(
  deps: Pick<ConnectionsDeps, "vault" | "runnerKind">,
  orgId: string,
  row: ConnectionRow,
  spec: ConnectionSpec | undefined,
  specPaths: readonly string[],
  nameViolations: FieldViolation[],
  signal?: AbortSignal,
): Promise<SpecUpdatePlan> {
  // Read and validated outside the lock: the etag check under the lock
  // (commit-update-or-rotation.ts) proves the row (spec, auth mode, version) is still this one.
  const current = mergeSecrets(
    fromJson(ConnectionSpecSchema, row.public_spec as JsonValue),
    row.credential_version > 0 ? fromBinary(ConnectionSpecSchema, await deps.vault.open(orgId, row.id, row.credential_version, signal)) : undefined,
  );
  const masked = applyUpdateMask(current, spec, specPaths);
  if (masked.violations.length > 0) throw badRequest([...nameViolations, ...masked.violations]);
  // A cross-account role is only ever written by AwsTrustService: an
  // update may keep it exactly as it is, never set or edit it.
  await checkSpec(deps, orgId, masked.spec, nameViolations, { allowCrossAccountTrust: sameTrust(current, masked.spec) });
  const parts = storedParts(normalizeSpec(masked.spec));
  return { parts, needsSeal: masked.secretsChanged || parts.authMode !== row.auth_mode };
}

// Whether both specs carry the same cross-account trust (role, external id,
// capabilities, stack): the update left it untouched.
function sameTrust(current: ConnectionSpec, updated: ConnectionSpec): boolean {
  const a = current.provider.case === "aws" && current.provider.value.auth.case === "crossAccountTrust" ? current.provider.value.auth.value : undefined;
  const b = updated.provider.case === "aws" && updated.provider.value.auth.case === "crossAccountTrust" ? updated.provider.value.auth.value : undefined;
  return a !== undefined && b !== undefined && equals(AwsCrossAccountTrustSchema, a, b);
}
