import type { CloudflareSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { checkString, emailAddress, httpsUrl, matches, printableToken } from "./string-rules.js";

/**
 * validateCloudflare appends the violations of a Cloudflare spec found at
 * `prefix` (e.g. `spec.cloudflare`) to `out`: exactly one of `api_token`
 * (40 to 512 printable characters) or `legacy` (`api_key` at least 37
 * characters, email-shaped `email`); optional `account_id` of 32 lowercase
 * hex; optional `r2` with both keys (at least 20 characters each) and an
 * optional https `endpoint`.
 */
export function validateCloudflare(out: FieldViolation[], prefix: string, spec: CloudflareSpec): void {
  const hasToken = spec.apiToken !== "";
  const legacy = spec.legacy;
  if (hasToken && legacy !== undefined) {
    out.push({
      field: `${prefix}.legacy`,
      reason: ViolationReason.CONFLICT,
      description: "must not be set together with api_token: choose the API token (recommended) or the legacy global key",
    });
  } else if (!hasToken && legacy === undefined) {
    out.push({
      field: prefix,
      reason: ViolationReason.ONE_OF_REQUIRED,
      description: "one of api_token (recommended) or legacy is required",
    });
  }
  if (hasToken) {
    // Documented minimum, not one length: classic tokens are 40 characters,
    // the 2026 cfut_/cfat_ ones 53 (provider-apis.md, Cloudflare token formats).
    checkString(out, `${prefix}.api_token`, spec.apiToken, {
      required: true,
      minLength: 40,
      maxLength: 512,
      checks: [printableToken],
    });
  }
  if (legacy !== undefined) {
    // Classic global keys are 37 hex characters, the 2026 cfk_ ones longer.
    checkString(out, `${prefix}.legacy.api_key`, legacy.apiKey, { required: true, minLength: 37, checks: [printableToken] });
    checkString(out, `${prefix}.legacy.email`, legacy.email, { required: true, checks: [emailAddress] });
  }
  checkString(out, `${prefix}.account_id`, spec.accountId, {
    required: false,
    exactLength: 32,
    checks: [matches(/^[0-9a-f]{32}$/, "must be 32 lowercase hexadecimal characters")],
  });
  const r2 = spec.r2;
  if (r2 !== undefined) {
    checkString(out, `${prefix}.r2.access_key_id`, r2.accessKeyId, { required: true, minLength: 20, checks: [printableToken] });
    checkString(out, `${prefix}.r2.secret_access_key`, r2.secretAccessKey, { required: true, minLength: 20, checks: [printableToken] });
    checkString(out, `${prefix}.r2.endpoint`, r2.endpoint, { required: false, checks: [httpsUrl] });
  }
}
