import type { GcpSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { validateRunner } from "./runner-rules.js";
import { parseServiceAccountKey, type ServiceAccountKey } from "./service-account-key.js";
import { checkString, matches } from "./string-rules.js";

/**
 * GCP_KEY_MAX_LENGTH caps `key_base64`: a real key file is about 2.3 KB
 * (3.1 KB as base64), so 16384 leaves room for line breaks and larger keys.
 */
export const GCP_KEY_MAX_LENGTH = 16384;

// GCP project id rules: 6 to 30 characters, lowercase letters, digits and
// hyphens, starting with a letter and not ending with a hyphen.
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * validateGcp appends the violations of a GCP spec found at `prefix` (e.g.
 * `spec.gcp`) to `out`: exactly one auth method; a `service_account_key`
 * whose `key_base64` is a usable service-account key (see
 * `parseServiceAccountKey`); `project_id` required in runner mode, shaped as
 * a GCP project id, and equal to the key's project when both are given.
 */
export function validateGcp(out: FieldViolation[], prefix: string, spec: GcpSpec): void {
  let key: ServiceAccountKey | undefined;
  switch (spec.auth.case) {
    case "serviceAccountKey": {
      const field = `${prefix}.service_account_key.key_base64`;
      const value = spec.auth.value.keyBase64;
      if (checkString(out, field, value, { required: true, maxLength: GCP_KEY_MAX_LENGTH, allowWhitespace: true })) {
        const parsed = parseServiceAccountKey(value);
        if (parsed.ok) key = parsed.key;
        else out.push({ field, reason: parsed.reason, description: parsed.description });
      }
      break;
    }
    case "runner":
      validateRunner(out, `${prefix}.runner`, spec.auth.value);
      break;
    case undefined:
      out.push({
        field: `${prefix}.auth`,
        reason: ViolationReason.ONE_OF_REQUIRED,
        description: "one of service_account_key or runner is required",
      });
      break;
  }
  const projectField = `${prefix}.project_id`;
  // The key's own project is accepted as is: normalizeSpec copies it here, and
  // legacy domain-scoped projects (example.com:name) would fail the pattern on
  // every later update of a spec that never changed.
  if (key !== undefined && spec.projectId === key.projectId) return;
  const projectOk = checkString(out, projectField, spec.projectId, {
    // With a key the project comes from the key; a runner has nothing to derive it from.
    required: spec.auth.case === "runner",
    minLength: 6,
    maxLength: 30,
    checks: [matches(PROJECT_ID, "must be a GCP project id: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen")],
  });
  if (projectOk && key !== undefined && spec.projectId !== "") {
    out.push({
      field: projectField,
      reason: ViolationReason.MISMATCH,
      description: "must equal the project_id inside the service-account key (or be left empty to use it)",
    });
  }
}
