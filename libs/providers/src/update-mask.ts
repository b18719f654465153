import { clone, create, type DescField } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { clearField, type FieldPath, readField, readString, resolveFieldPath, writeField } from "./field-path.js";
import { SECRET_FIELD_PATHS } from "./secret-paths.js";

/** MaskedUpdate is the outcome of {@link applyUpdateMask}. */
export interface MaskedUpdate {
  /** The updated full spec; the unchanged current spec when there are violations. Not validated. */
  readonly spec: ConnectionSpec;
  /** Problems with the mask or the patch, on `update_mask` or the spec path concerned. */
  readonly violations: FieldViolation[];
  /** Whether any secret field's value differs between the current and the updated spec (a rotation). */
  readonly secretsChanged: boolean;
}

const MASK_FIELD = "update_mask";
const SPEC_ROOT = "spec";

interface MaskPath {
  readonly path: string;
  readonly fields: FieldPath;
}

/**
 * applyUpdateMask applies an AIP-134 field-mask update to the full current
 * spec (secrets included) and says whether secrets changed.
 *
 * Paths not under `spec` (e.g. `name`) are left to the caller. `spec` alone
 * means the whole provider message. Every other path is
 * `spec.<provider>.<field>[.<field>...]` in proto field names, where the
 * provider must be the current one (else `MISMATCH` on `update_mask`) and
 * every name must name a field (else `UNKNOWN_FIELD`). A path naming a
 * message field replaces it with the patch's (clearing it when the patch has
 * none; a oneof member such as `spec.aws.runner` switches the oneof and must
 * be present in the patch, else `REQUIRED` on that path). A path naming a
 * scalar copies the patch's value, empty meaning clear. A path descending
 * into a oneof member other than the selected one is a `MISMATCH` (name the
 * member itself to switch). Shorter paths apply first, so the result does
 * not depend on the order of the mask.
 *
 * The result is not validated: run `validateSpec` on it. Neither input is modified.
 */
export function applyUpdateMask(current: ConnectionSpec, patch: ConnectionSpec | undefined, paths: readonly string[]): MaskedUpdate {
  const violations: FieldViolation[] = [];
  const maskPaths = resolveMask(current, paths, violations);
  const patchProvider = patch?.provider.case;
  if (maskPaths.length > 0 && patchProvider !== undefined && patchProvider !== current.provider.case) {
    violations.push({
      field: SPEC_ROOT,
      reason: ViolationReason.MISMATCH,
      description: "must be for the connection's provider: a connection cannot change provider",
    });
  }
  const updated = clone(ConnectionSpecSchema, current);
  const updatedView = reflect(ConnectionSpecSchema, updated);
  const patchView = reflect(ConnectionSpecSchema, patch ?? create(ConnectionSpecSchema));
  // Stable sort: a whole message replaced first, then any deeper path inside it.
  for (const maskPath of [...maskPaths].sort((a, b) => a.fields.length - b.fields.length)) {
    applyPath(maskPath, updatedView, patchView, violations);
  }
  if (violations.length > 0) {
    return { spec: clone(ConnectionSpecSchema, current), violations, secretsChanged: false };
  }
  return { spec: updated, violations, secretsChanged: secretsDiffer(current, updated) };
}

function resolveMask(current: ConnectionSpec, paths: readonly string[], violations: FieldViolation[]): MaskPath[] {
  const resolved: MaskPath[] = [];
  const currentProvider = current.provider.case;
  const providerField = currentProvider === undefined ? undefined : ConnectionSpecSchema.field[currentProvider];
  for (const path of paths) {
    if (path !== SPEC_ROOT && !path.startsWith(`${SPEC_ROOT}.`)) continue;
    const names = path === SPEC_ROOT ? (providerField === undefined ? [] : [providerField.name]) : path.split(".").slice(1);
    const found = resolveFieldPath(ConnectionSpecSchema, names);
    if (names.length === 0 || !("fields" in found)) {
      violations.push({
        field: MASK_FIELD,
        reason: ViolationReason.UNKNOWN_FIELD,
        description: `${describePath(path)} names no field of the connection spec`,
      });
      continue;
    }
    if (found.fields[0] !== providerField) {
      violations.push({
        field: MASK_FIELD,
        reason: ViolationReason.MISMATCH,
        description: `${describePath(path)} is for another provider than the connection's`,
      });
      continue;
    }
    resolved.push({ path: path === SPEC_ROOT ? `${SPEC_ROOT}.${names.join(".")}` : path, fields: found.fields });
  }
  return resolved;
}

function applyPath({ path, fields }: MaskPath, updated: ReflectMessage, patch: ReflectMessage, violations: FieldViolation[]): void {
  const leaf = fields[fields.length - 1] as DescField;
  const value = readField(patch, fields);
  let written: boolean;
  if (leaf.fieldKind === "message") {
    if (value === undefined && leaf.oneof !== undefined) {
      // Clearing a oneof member would leave no auth method (or provider) at all.
      violations.push({
        field: path,
        reason: ViolationReason.REQUIRED,
        description: "must be set in the request because update_mask names it",
      });
      return;
    }
    written =
      value === undefined
        ? clearField(updated, fields)
        : // Copy, so the result never shares objects with the caller's patch.
          writeField(updated, fields, reflect(leaf.message, clone(leaf.message, (value as ReflectMessage).message)));
  } else if (value === undefined || value === "") {
    // Clearing must not conjure up an empty optional message (an empty r2
    // would then demand R2 keys), so an unset parent stays unset.
    written = clearField(updated, fields);
  } else {
    // Scalars here are strings: the spec has no lists, maps or numbers.
    written = writeField(updated, fields, value);
  }
  if (!written) {
    violations.push({
      field: MASK_FIELD,
      reason: ViolationReason.MISMATCH,
      description: `${describePath(path)} is inside an auth method the connection does not use: name the method itself to switch`,
    });
  }
}

function secretsDiffer(before: ConnectionSpec, after: ConnectionSpec): boolean {
  const beforeView = reflect(ConnectionSpecSchema, before);
  const afterView = reflect(ConnectionSpecSchema, after);
  return SECRET_FIELD_PATHS.some((path) => readString(beforeView, path) !== readString(afterView, path));
}

// The mask is a list of field names, not a credential, but it is still
// caller input: quote it only when it looks like a field path.
function describePath(path: string): string {
  return /^[a-z0-9_.]{1,200}$/.test(path) ? `path ${path}` : "a path";
}
