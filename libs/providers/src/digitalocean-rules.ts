import type { DigitalOceanSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { DIGITALOCEAN_REGIONS } from "./data/digitalocean-regions.js";
import type { FieldViolation } from "./field-violation.js";
import { checkBothOrNeither, checkString, oneOf, printableToken } from "./string-rules.js";

/**
 * validateDigitalOcean appends the violations of a DigitalOcean spec found
 * at `prefix` (e.g. `spec.digitalocean`) to `out`: `api_token` required, 32
 * to 512 printable characters; `default_region` one of
 * {@link DIGITALOCEAN_REGIONS}; the Spaces key pair both or neither.
 */
export function validateDigitalOcean(out: FieldViolation[], prefix: string, spec: DigitalOceanSpec): void {
  // Current tokens are dop_v1_ + 64 hex (71 chars) and older ones 64 bare hex;
  // a range instead of one pattern keeps accepting the next format change.
  checkString(out, `${prefix}.api_token`, spec.apiToken, {
    required: true,
    minLength: 32,
    maxLength: 512,
    checks: [printableToken],
  });
  checkString(out, `${prefix}.default_region`, spec.defaultRegion, { required: true, checks: [oneOf(DIGITALOCEAN_REGIONS)] });
  const accessId = { field: `${prefix}.spaces_access_id`, value: spec.spacesAccessId };
  const secretKey = { field: `${prefix}.spaces_secret_key`, value: spec.spacesSecretKey };
  checkString(out, accessId.field, accessId.value, { required: false, checks: [printableToken] });
  checkString(out, secretKey.field, secretKey.value, { required: false, checks: [printableToken] });
  checkBothOrNeither(out, accessId, secretKey, "Spaces keys");
}
