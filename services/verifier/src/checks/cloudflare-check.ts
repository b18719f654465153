import { parseProviderDate } from "./lifetime-dates.js";
import type { CheckResult, ProviderCheck } from "./provider-check.js";
import { asObject, httpCall, isHeaderSafe, isTransientStatus, malformed, str, transientForStatus, type HttpAnswer } from "./http-call.js";

const PROVIDER = "Cloudflare";

/**
 * checkCloudflare proves Cloudflare credentials.
 *
 * API token (preferred): `GET /client/v4/user/tokens/verify`, or
 * `GET /client/v4/accounts/{account_id}/tokens/verify` when account_id is
 * set (account-owned tokens only verify there), with Bearer.
 * Legacy global key: `GET /client/v4/user` with X-Auth-Email / X-Auth-Key.
 *
 * - verified: identity = `token <result.id>` (token) or `result.email`
 *   (legacy); for a token created with an expiry, lifetime.expireTime =
 *   `result.expires_on` (a global key has no expiry to report).
 * - failed: INVALID_CREDENTIALS (401, code 1000 / 9103 / 6003 family),
 *   TOKEN_DISABLED / EXPIRED (verify result status), INSUFFICIENT_PERMISSIONS
 *   (403 code 10000), PROVIDER_ERROR (other 4xx).
 * - transient: 429 (retryAfterMs from Retry-After), 5xx, timeouts, network
 *   errors, a 200 body without the documented envelope.
 *
 * When both api_token and legacy are set, the token is checked (the spec says
 * exactly one; the token is the recommended form). Throws only when `spec` is
 * not a Cloudflare spec with one of them.
 */
export const checkCloudflare: ProviderCheck = async (spec, options) => {
  if (spec.provider.case !== "cloudflare") throw new Error(`checkCloudflare: spec provider is ${spec.provider.case ?? "unset"}, not cloudflare`);
  const cf = spec.provider.value;
  const base = `${options.endpoints.cloudflare.replace(/\/+$/, "")}/client/v4`;
  const limits = options.signal ? { timeoutMs: options.timeoutMs, signal: options.signal } : { timeoutMs: options.timeoutMs };

  if (cf.apiToken) {
    if (!isHeaderSafe(cf.apiToken)) return unsendable("API token");
    const url = cf.accountId ? `${base}/accounts/${encodeURIComponent(cf.accountId)}/tokens/verify` : `${base}/user/tokens/verify`;
    const call = await httpCall(PROVIDER, { method: "GET", url, headers: { authorization: `Bearer ${cf.apiToken}`, accept: "application/json" } }, limits);
    if (!call.ok) return call.transient;
    return tokenResult(call.answer, { accountToken: cf.apiToken.startsWith("cfat_"), hasAccountId: !!cf.accountId });
  }
  if (cf.legacy && cf.legacy.apiKey && cf.legacy.email) {
    if (!isHeaderSafe(cf.legacy.apiKey)) return unsendable("Global API Key");
    if (!isHeaderSafe(cf.legacy.email)) return unsendable("account email");
    const call = await httpCall(
      PROVIDER,
      { method: "GET", url: `${base}/user`, headers: { "x-auth-email": cf.legacy.email, "x-auth-key": cf.legacy.apiKey, accept: "application/json" } },
      limits,
    );
    if (!call.ok) return call.transient;
    return legacyResult(call.answer);
  }
  throw new Error("checkCloudflare: api_token or legacy (api_key and email) is required");
};

function tokenResult(answer: HttpAnswer, token: { accountToken: boolean; hasAccountId: boolean }): CheckResult {
  if (isTransientStatus(answer.status)) return transientForStatus(PROVIDER, answer);
  const env = envelope(answer);
  if (env === undefined) return malformed(PROVIDER, `HTTP ${answer.status} answer`);
  if (answer.status === 200 && env.success) {
    const id = str(env.result, "id");
    const status = str(env.result, "status");
    if (!id || !status) return malformed(PROVIDER, "token verify result");
    if (status === "active") {
      // expires_on is present only when the token was created with an expiry.
      const expireTime = parseProviderDate(env.result?.["expires_on"]);
      return { kind: "verified", identity: `token ${id}`, ...(expireTime ? { lifetime: { expireTime } } : {}) };
    }
    if (status === "disabled") return failed("TOKEN_DISABLED", `Cloudflare API token ${id} exists but is disabled. Re-enable it or create a new one.`);
    if (status === "expired") return failed("EXPIRED", `Cloudflare API token ${id} has expired. Create a new token or extend its validity.`);
    return failed("TOKEN_INACTIVE", `Cloudflare API token ${id} is not active (status ${JSON.stringify(status.slice(0, 32))}).`);
  }
  const shared = sharedFailure(answer.status, env.codes);
  if (shared) return shared;
  if (env.codes.includes(1000) || answer.status === 401 || answer.status === 403) {
    const hint =
      token.accountToken && !token.hasAccountId
        ? " It looks like an account-owned token (cfat_): set the account ID so it can be verified against the account."
        : token.hasAccountId
          ? " Check that the account ID is the one that owns this token."
          : " If it is an account-owned token, set the account ID.";
    return failed("INVALID_CREDENTIALS", `Cloudflare says the API token is invalid, deleted or rolled.${hint}`);
  }
  return failed("PROVIDER_ERROR", `Cloudflare refused the token verification (HTTP ${answer.status}, codes ${env.codes.join(",") || "none"}).`);
}

function legacyResult(answer: HttpAnswer): CheckResult {
  if (isTransientStatus(answer.status)) return transientForStatus(PROVIDER, answer);
  const env = envelope(answer);
  if (env === undefined) return malformed(PROVIDER, `HTTP ${answer.status} answer`);
  if (answer.status === 200 && env.success) {
    const identity = str(env.result, "email") || str(env.result, "id");
    return identity ? { kind: "verified", identity } : malformed(PROVIDER, "user result");
  }
  const shared = sharedFailure(answer.status, env.codes);
  if (shared) return shared;
  if (env.codes.includes(9103) || answer.status === 401 || answer.status === 403) {
    return failed("INVALID_CREDENTIALS", "Cloudflare doesn't recognise this Global API Key and email pair. Check both, or use an API token instead.");
  }
  return failed("PROVIDER_ERROR", `Cloudflare refused the user read (HTTP ${answer.status}, codes ${env.codes.join(",") || "none"}).`);
}

/** Failures that mean the same thing on both routes. */
function sharedFailure(status: number, codes: readonly number[]): CheckResult | undefined {
  if (codes.some((c) => c === 6003 || c === 6102 || c === 6103 || c === 6111 || c === 1001 || c === 9106)) {
    return failed("INVALID_CREDENTIALS", "Cloudflare says the credential is malformed: a Global API Key was probably pasted as an API token, or the reverse.");
  }
  if (status === 403 && codes.includes(10000)) {
    return failed("INSUFFICIENT_PERMISSIONS", "The Cloudflare credential is valid but lacks permission for this endpoint.");
  }
  return undefined;
}

/** The `{success, errors, messages, result}` envelope; `undefined` when the body isn't one. */
function envelope(answer: HttpAnswer): { success: boolean; codes: number[]; result: Record<string, unknown> | undefined } | undefined {
  const body = asObject(answer.json);
  if (!body || typeof body["success"] !== "boolean") return undefined;
  const errors = Array.isArray(body["errors"]) ? body["errors"] : [];
  const codes: number[] = [];
  for (const e of errors) {
    const obj = asObject(e);
    if (typeof obj?.["code"] === "number") codes.push(obj["code"]);
    // error_chain carries the precise cause (e.g. 6003 -> 6103).
    const chain = obj?.["error_chain"];
    if (Array.isArray(chain)) for (const c of chain) if (typeof asObject(c)?.["code"] === "number") codes.push(asObject(c)?.["code"] as number);
  }
  return { success: body["success"], codes, result: asObject(body["result"]) };
}

function unsendable(what: string): CheckResult {
  return failed("INVALID_CREDENTIALS", `The Cloudflare ${what} contains whitespace or control characters. Paste it again without line breaks or spaces.`);
}

function failed(reason: string, message: string): CheckResult {
  return { kind: "failed", reason, message };
}
