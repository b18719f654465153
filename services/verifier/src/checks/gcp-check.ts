import { sign } from "node:crypto";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { parseServiceAccountKey, type ServiceAccountKey } from "@planton/providers";
import { gcpPermissionsStep } from "../permissions/gcp-permissions.js";
import { readGcpKeyDates } from "./gcp-key-dates.js";
import { httpCall, isHeaderSafe, parseRetryAfter } from "./http-call.js";
import type { CheckOptions, CheckResult, ProviderCheck } from "./provider-check.js";

const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * checkGcp proves a GCP spec's service-account JSON key by running the OAuth
 * 2.0 JWT-bearer exchange once: an RS256 JWT (header kid = private_key_id;
 * claims iss = client_email, scope = cloud-platform, aud = the token URI,
 * iat = now, exp = iat + 3600) signed with the key's private key, POSTed as
 * a form to `options.endpoints.gcpTokenUri`, or the key's `token_uri` when
 * that is empty (Google's own URL when the key has none).
 *
 * - 200 with an `access_token` → `verified`, identity = client_email; with
 *   `endpoints.gcpIam` set, the token then reads the key's own validity
 *   window (lifetime, see {@link readGcpKeyDates}); with `checkPermissions`
 *   and `endpoints.gcpResourceManager` set, it tests what the service
 *   account may do per resource family (see {@link gcpPermissionsStep});
 *   then it is dropped.
 * - `invalid_grant` "Invalid JWT Signature" → `failed` KEY_REVOKED (key
 *   deleted or rotated); account not found/deleted/disabled and other
 *   `invalid_grant`, `invalid_client`, `unauthorized_client`,
 *   `deleted_client` → `failed` INVALID_CREDENTIALS; iat/exp window rejected
 *   → `failed` CLOCK_SKEW (the verifier's clock, not the key); other 4xx
 *   errors → `failed` PROVIDER_REJECTED naming the code.
 * - 408/429 → `transient` THROTTLED, 5xx → `transient` PROVIDER_UNAVAILABLE
 *   (`retryAfterMs` from Retry-After), unreadable body → `transient`
 *   MALFORMED_RESPONSE, timeout/abort/network → `transient` TIMEOUT /
 *   ABORTED / NETWORK_ERROR.
 * - Unusable key (bad base64/JSON/PEM), key project ≠ spec `project_id`, or
 *   a non-https token URI (loopback http allowed, for tests) → `failed`
 *   INVALID_CREDENTIALS / PROJECT_MISMATCH before any request.
 * - Runner auth → `failed` NOT_APPLICABLE.
 *
 * Messages never contain the private key, the signed assertion or an access
 * token. Throws only when `spec` is not a GCP spec or has no auth set.
 */
export const checkGcp: ProviderCheck = async (spec: ConnectionSpec, options: CheckOptions): Promise<CheckResult> => {
  if (spec.provider.case !== "gcp") throw new Error(`checkGcp: spec is ${spec.provider.case ?? "empty"}, not gcp`);
  const gcp = spec.provider.value;
  if (gcp.auth.case === "runner") {
    return {
      kind: "failed",
      reason: "NOT_APPLICABLE",
      message: "This connection authenticates through a runner; its credentials are checked by the runner, not here.",
    };
  }
  if (gcp.auth.case !== "serviceAccountKey") throw new Error("checkGcp: GCP spec has no auth set");
  const keyBase64 = gcp.auth.value.keyBase64;
  const parsed = parseServiceAccountKey(keyBase64);
  if (!parsed.ok) {
    // parseServiceAccountKey's description never quotes key content.
    return failed(
      "INVALID_CREDENTIALS",
      `The service-account key is unusable: it ${parsed.description}. Download a new JSON key from IAM → Service accounts → Keys.`,
    );
  }
  const key = parsed.key;
  if (gcp.projectId !== "" && gcp.projectId !== key.projectId) {
    return failed(
      "PROJECT_MISMATCH",
      `The key belongs to project ${key.projectId}, not to project ${gcp.projectId} given for this connection. Use a key from ${gcp.projectId}, or correct the project ID.`,
    );
  }
  const override = options.endpoints.gcpTokenUri;
  const tokenUri = override || tokenUriOf(keyBase64) || GOOGLE_TOKEN_URI;
  // The key file is user input: its token_uri may only name Google's token
  // endpoint, or the verifier would POST to any host a user chooses (SSRF,
  // e.g. to loopback or cloud metadata). Only the operator's override may
  // point elsewhere (tests, private Google endpoints).
  if (override === "" && !isGoogleTokenUri(tokenUri)) {
    return failed("INVALID_CREDENTIALS", "The key's token_uri must be Google's token endpoint (https://oauth2.googleapis.com/token).");
  }
  if (!isAllowedTokenUri(tokenUri)) {
    // The key file is user input: refusing plain http keeps the signed
    // assertion off the wire unencrypted (and narrows what the URI can reach).
    return failed("INVALID_CREDENTIALS", "The key's token_uri must be an https URL (normally https://oauth2.googleapis.com/token).");
  }
  const result = await exchange(key, tokenUri, options);
  return scrub(result, key.privateKey);
};

async function exchange(key: ServiceAccountKey, tokenUri: string, options: CheckOptions): Promise<CheckResult> {
  let assertion: string;
  try {
    assertion = signedJwt(key, tokenUri, Math.floor(Date.now() / 1000));
  } catch {
    // parseServiceAccountKey already loaded the key, so this is unexpected; the crypto error text is not forwarded.
    return failed("INVALID_CREDENTIALS", "The service-account key's private key could not sign a token. Create a new key.");
  }
  const body = new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString();
  const response = await send(
    tokenUri,
    { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body },
    options,
  );
  if (response.kind === "transient") return response;
  const { status, text, retryAfterMs } = response;
  const json = parseJsonObject(text);

  if (status === 200) {
    if (json === undefined || typeof json["access_token"] !== "string" || json["access_token"] === "") {
      return transient("MALFORMED_RESPONSE", "Google's token endpoint returned an unreadable response. Try again later.", retryAfterMs);
    }
    const iam = options.endpoints.gcpIam;
    const accessToken = json["access_token"];
    if (!isHeaderSafe(accessToken)) return { kind: "verified", identity: key.clientEmail };
    const permissions = await gcpPermissionsStep({ projectId: key.projectId, clientEmail: key.clientEmail }, accessToken, options);
    if (!iam) return { kind: "verified", identity: key.clientEmail, ...permissions };
    const limits = { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
    return { kind: "verified", identity: key.clientEmail, lifetime: await readGcpKeyDates(iam, key, accessToken, limits), ...permissions };
  }
  if (status === 408 || status === 429) {
    return transient("THROTTLED", "Google is rate-limiting token requests. Try again shortly.", retryAfterMs);
  }
  if (status >= 500) {
    return transient(
      "PROVIDER_UNAVAILABLE",
      `Google's token endpoint is having problems (HTTP ${status}). This does not mean the key is bad; try again later.`,
      retryAfterMs,
    );
  }
  const error = json !== undefined && typeof json["error"] === "string" ? json["error"] : undefined;
  const description = json !== undefined && typeof json["error_description"] === "string" ? json["error_description"] : "";
  if (error === undefined) {
    return transient("MALFORMED_RESPONSE", `Google's token endpoint answered HTTP ${status} without a readable error. Try again later.`, retryAfterMs);
  }
  return mapOAuthError(error, description, key);
}

// OAuth gives only `error` as a code; for invalid_grant the description is the
// only way to tell a deleted key from a deleted account or a clock problem.
function mapOAuthError(error: string, description: string, key: ServiceAccountKey): CheckResult {
  const who = `service account ${key.clientEmail}`;
  switch (error) {
    case "invalid_grant":
      if (/Invalid JWT Signature/i.test(description)) {
        return failed(
          "KEY_REVOKED",
          `Google rejected the signature of key ${key.privateKeyId} for ${who}: the key was deleted or rotated. Create a new key for the service account and upload it.`,
        );
      }
      if (/account not found|has been deleted|deleted/i.test(description)) {
        return failed("INVALID_CREDENTIALS", `The ${who} no longer exists (or the key file is corrupted). Use a key of an existing service account.`);
      }
      if (/disabled/i.test(description)) {
        return failed("INVALID_CREDENTIALS", `The ${who} is disabled. Enable it in IAM → Service accounts, then verify again.`);
      }
      if (/short-lived|iat|exp|timeframe/i.test(description)) {
        return failed(
          "CLOCK_SKEW",
          "Google rejected the signed token's time window: the verifier's clock is probably wrong. This says nothing about the key; the clock must be synchronised.",
        );
      }
      return failed("INVALID_CREDENTIALS", `Google refused the key for ${who} (invalid_grant). Check that the key is current, or create a new key.`);
    case "invalid_client":
    case "unauthorized_client":
    case "deleted_client":
      return failed("INVALID_CREDENTIALS", `Google refused the client of ${who} (${error}). Create a new key for an existing, enabled service account.`);
    default:
      return failed("PROVIDER_REJECTED", `Google's token endpoint refused the request with ${error}.`);
  }
}

/** The JWT assertion: base64url(header).base64url(claims).base64url(RS256 signature). */
function signedJwt(key: ServiceAccountKey, audience: string, iat: number): string {
  const header = { alg: "RS256", typ: "JWT", kid: key.privateKeyId };
  const claims = { iss: key.clientEmail, scope: SCOPE, aud: audience, iat, exp: iat + 3600 };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(input, "utf8"), key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

function b64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

// parseServiceAccountKey does not return token_uri, so it is read here; any
// failure just falls back to Google's URL.
function tokenUriOf(keyBase64: string): string | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(keyBase64.replace(/\s+/g, ""), "base64").toString("utf8"));
    if (typeof json !== "object" || json === null) return undefined;
    const uri = (json as Record<string, unknown>)["token_uri"];
    return typeof uri === "string" && uri !== "" ? uri : undefined;
  } catch {
    return undefined;
  }
}

function isGoogleTokenUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      url.protocol === "https:" &&
      (url.hostname === "oauth2.googleapis.com" || url.hostname === "accounts.google.com" || url.hostname.endsWith(".googleapis.com"))
    );
  } catch {
    return false;
  }
}

function isAllowedTokenUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Exchange =
  | { readonly kind: "response"; readonly status: number; readonly text: string; readonly retryAfterMs: number | undefined }
  | Extract<CheckResult, { kind: "transient" }>;

// One request through the shared HTTP helper (timeout covering the body,
// the caller's signal, error texts that never echo request details).
async function send(url: string, init: { method: "POST"; headers: Record<string, string>; body: string }, options: CheckOptions): Promise<Exchange> {
  const outcome = await httpCall(
    "Google's token endpoint",
    { url, ...init },
    { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (!outcome.ok) return outcome.transient;
  const { answer } = outcome;
  return { kind: "response", status: answer.status, text: answer.text, retryAfterMs: parseRetryAfter(answer.headers.get("retry-after")) };
}

function failed(reason: string, message: string): CheckResult {
  return { kind: "failed", reason, message };
}

function transient(reason: string, message: string, retryAfterMs?: number): Extract<CheckResult, { kind: "transient" }> {
  return retryAfterMs === undefined ? { kind: "transient", reason, message } : { kind: "transient", reason, message, retryAfterMs };
}

// Defence in depth against a future message that quotes key material: cut
// out the PEM and each of its base64 lines.
function scrub(result: CheckResult, privateKeyPem: string): CheckResult {
  if (result.kind === "verified") return result;
  const pieces = [privateKeyPem, ...privateKeyPem.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"))];
  let message = result.message;
  for (const piece of pieces) if (message.includes(piece)) message = message.split(piece).join("[redacted]");
  return message === result.message ? result : { ...result, message };
}
