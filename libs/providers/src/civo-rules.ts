import type { CivoSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { CIVO_REGIONS } from "./data/civo-regions.js";
import type { FieldViolation } from "./field-violation.js";
import { checkBothOrNeither, checkString, oneOf, printableToken } from "./string-rules.js";

/**
 * validateCivo appends the violations of a Civo spec found at `prefix` (e.g.
 * `spec.civo`) to `out`: `api_token` required, 20 to 512 printable
 * characters; `default_region` one of {@link CIVO_REGIONS} (case-sensitive);
 * the object-store key pair both or neither.
 */
export function validateCivo(out: FieldViolation[], prefix: string, spec: CivoSpec): void {
  checkString(out, `${prefix}.api_token`, spec.apiToken, {
    required: true,
    minLength: 20,
    maxLength: 512,
    checks: [printableToken],
  });
  checkString(out, `${prefix}.default_region`, spec.defaultRegion, { required: true, checks: [oneOf(CIVO_REGIONS)] });
  const accessId = { field: `${prefix}.object_store_access_id`, value: spec.objectStoreAccessId };
  const secretKey = { field: `${prefix}.object_store_secret_key`, value: spec.objectStoreSecretKey };
  checkString(out, accessId.field, accessId.value, { required: false, checks: [printableToken] });
  checkString(out, secretKey.field, secretKey.value, { required: false, checks: [printableToken] });
  checkBothOrNeither(out, accessId, secretKey, "object-store keys");
}
