import type { CloudflareSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { checkString, emailAddress, httpsUrl, matches, type StringCheck } from "./string-rules.js";

// Cloudflare's credential formats (provider-apis.md §6.1, after cloudflare-docs
// fundamentals/api/get-started/token-formats, 2026): the classic API token is
// 40 characters of [A-Za-z0-9_-]; the scannable format is a type prefix, 40
// characters and an 8-character checksum: cfut_ (user token) and cfat_
// (account token) give 53 characters, cfk_ (Global API Key) 52. Old
// credentials keep working, so both generations are accepted; any other
// length is a truncated or padded paste and is refused here, before it
// reaches the vault. The checksum's alphabet is not documented: only its
// length is fixed, its characters are those of the body.
const LEGACY_API_TOKEN = /^[A-Za-z0-9_-]{40}$/;
const SCANNABLE_API_TOKEN = /^cf(ut|at)_[A-Za-z0-9_-]{48}$/;
const SCANNABLE_GLOBAL_KEY = /^cfk_[A-Za-z0-9_-]{48}$/;
// Classic Global API Keys are 37 hex characters (some reports say up to 45).
const LEGACY_GLOBAL_KEY = /^[0-9a-fA-F]{37,45}$/;

/** apiToken accepts a classic 40-character token or a 53-character cfut_/cfat_ token, nothing else. */
const apiToken: StringCheck = (value) => {
  if (LEGACY_API_TOKEN.test(value) || SCANNABLE_API_TOKEN.test(value)) return undefined;
  if (value.startsWith("cfk_")) {
    return {
      reason: ViolationReason.PATTERN,
      description: "is a Global API Key (cfk_): put it in legacy.api_key with the account's email, or create an API token",
    };
  }
  return {
    reason: value.length === 40 || value.length === 53 ? ViolationReason.PATTERN : ViolationReason.LENGTH,
    description: "must be a Cloudflare API token: 40 characters of letters, digits, _ and - (classic), or 53 starting with cfut_ or cfat_",
  };
};

/** globalApiKey accepts a classic 37-45 hex key or a 52-character cfk_ key. */
const globalApiKey: StringCheck = (value) =>
  LEGACY_GLOBAL_KEY.test(value) || SCANNABLE_GLOBAL_KEY.test(value)
    ? undefined
    : {
        reason: ViolationReason.PATTERN,
        description: "must be a Cloudflare Global API Key: 37 hexadecimal characters (classic), or 52 starting with cfk_",
      };

// R2's S3 keys are derived from an API token: the access key id is the
// token's id (32 hex; R2 answers "Credential access key has length N, should
// be 32" otherwise) and the secret the SHA-256 hex of the token (64 hex).
const R2_ACCESS_KEY_ID = /^[0-9a-f]{32}$/;
const R2_SECRET_ACCESS_KEY = /^[0-9a-f]{64}$/;
// R2's S3 endpoints: https://<account>.r2.cloudflarestorage.com, with an
// .eu. or .fedramp. jurisdiction label. Only these: the platform sends signed
// requests there, so an arbitrary host would be a request to anywhere.
const R2_ENDPOINT = /^https:\/\/[0-9a-f]{32}\.(eu\.|fedramp\.)?r2\.cloudflarestorage\.com\/?$/;

/**
 * validateCloudflare appends the violations of a Cloudflare spec found at
 * `prefix` (e.g. `spec.cloudflare`) to `out`: exactly one of `api_token`
 * (a classic 40-character token or a 53-character cfut_/cfat_ token) or
 * `legacy` (`api_key` a classic 37-45 hex key or a 52-character cfk_ key,
 * email-shaped `email`); optional `account_id` of 32 lowercase hex;
 * optional `r2` with `access_key_id` (32 lowercase hex), `secret_access_key`
 * (64 lowercase hex) and an optional `endpoint`, an https R2 endpoint
 * (`https://<account>.r2.cloudflarestorage.com`, optionally `.eu.` or
 * `.fedramp.`).
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
    checkString(out, `${prefix}.api_token`, spec.apiToken, { required: true, maxLength: 53, checks: [apiToken] });
  }
  if (legacy !== undefined) {
    checkString(out, `${prefix}.legacy.api_key`, legacy.apiKey, { required: true, maxLength: 52, checks: [globalApiKey] });
    checkString(out, `${prefix}.legacy.email`, legacy.email, { required: true, maxLength: 254, checks: [emailAddress] });
  }
  checkString(out, `${prefix}.account_id`, spec.accountId, {
    required: false,
    exactLength: 32,
    checks: [matches(/^[0-9a-f]{32}$/, "must be 32 lowercase hexadecimal characters")],
  });
  const r2 = spec.r2;
  if (r2 !== undefined) {
    checkString(out, `${prefix}.r2.access_key_id`, r2.accessKeyId, {
      required: true,
      exactLength: 32,
      checks: [matches(R2_ACCESS_KEY_ID, "must be the 32 lowercase hexadecimal characters of the API token's id")],
    });
    checkString(out, `${prefix}.r2.secret_access_key`, r2.secretAccessKey, {
      required: true,
      exactLength: 64,
      checks: [matches(R2_SECRET_ACCESS_KEY, "must be 64 lowercase hexadecimal characters (the SHA-256 of the API token)")],
    });
    const endpointOk = checkString(out, `${prefix}.r2.endpoint`, r2.endpoint, {
      required: false,
      maxLength: 256,
      checks: [httpsUrl, matches(R2_ENDPOINT, "must be an R2 endpoint: https://<account id>.r2.cloudflarestorage.com (or .eu. / .fedramp. before r2)")],
    });
    // The endpoint names an account; with account_id given, it must be that one.
    if (endpointOk && r2.endpoint !== "" && spec.accountId !== "" && !r2.endpoint.startsWith(`https://${spec.accountId}.`)) {
      out.push({ field: `${prefix}.r2.endpoint`, reason: ViolationReason.MISMATCH, description: "must be an endpoint of the connection's account_id" });
    }
  }
}
