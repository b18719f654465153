import type { ProviderCheck } from "./provider-check.js";
import { asObject, httpCall, isHeaderSafe, isTransientStatus, malformed, parseEpochReset, parseRetryAfter, str, transientForStatus } from "./http-call.js";

const PROVIDER = "DigitalOcean";

/**
 * checkDigitalOcean proves a DigitalOcean personal access token with
 * `GET {digitalocean}/v2/account` (Bearer).
 *
 * - verified: identity = the account email (else its uuid).
 * - failed: INVALID_CREDENTIALS (401, or a token that can't be sent as a
 *   header), INSUFFICIENT_PERMISSIONS (403: a scoped token without
 *   `account:read`), ACCOUNT_LOCKED (200 with `status: "locked"`),
 *   PROVIDER_ERROR (any other 4xx).
 * - transient: 429 (retryAfterMs from `Retry-After`, else from the epoch
 *   `RateLimit-Reset`), 5xx, timeouts, network errors, malformed bodies.
 *
 * The Spaces keys and default region are not checked here. Throws only when
 * `spec` is not a DigitalOcean spec with an api_token.
 */
export const checkDigitalOcean: ProviderCheck = async (spec, options) => {
  if (spec.provider.case !== "digitalocean") throw new Error(`checkDigitalOcean: spec provider is ${spec.provider.case ?? "unset"}, not digitalocean`);
  const { apiToken } = spec.provider.value;
  if (!apiToken) throw new Error("checkDigitalOcean: api_token is required");
  if (!isHeaderSafe(apiToken)) {
    return {
      kind: "failed",
      reason: "INVALID_CREDENTIALS",
      message: "The DigitalOcean token contains whitespace or control characters. Paste it again without line breaks or spaces.",
    };
  }
  const call = await httpCall(
    PROVIDER,
    {
      method: "GET",
      url: `${options.endpoints.digitalocean.replace(/\/+$/, "")}/v2/account`,
      headers: { authorization: `Bearer ${apiToken}`, accept: "application/json" },
    },
    options.signal ? { timeoutMs: options.timeoutMs, signal: options.signal } : { timeoutMs: options.timeoutMs },
  );
  if (!call.ok) return call.transient;
  const answer = call.answer;

  if (answer.status === 200) {
    const account = asObject(asObject(answer.json)?.["account"]);
    const identity = str(account, "email") || str(account, "uuid");
    if (!identity) return malformed(PROVIDER, "account response");
    if (str(account, "status")?.toLowerCase() === "locked") {
      return {
        kind: "failed",
        reason: "ACCOUNT_LOCKED",
        message: `The token works, but DigitalOcean account ${identity} is locked and can't create resources. Resolve it in the DigitalOcean control panel (billing or support).`,
      };
    }
    return { kind: "verified", identity };
  }
  if (answer.status === 429) {
    // Retry-After is only sent for the per-minute burst limit; the hourly
    // limit only has ratelimit-reset (epoch seconds).
    const after = parseRetryAfter(answer.headers.get("retry-after")) ?? parseEpochReset(answer.headers.get("ratelimit-reset"));
    return transientForStatus(PROVIDER, answer, after);
  }
  if (isTransientStatus(answer.status)) return transientForStatus(PROVIDER, answer);
  if (answer.status === 401) {
    return {
      kind: "failed",
      reason: "INVALID_CREDENTIALS",
      message: "The DigitalOcean token is invalid, revoked or expired. Generate a new personal access token.",
    };
  }
  if (answer.status === 403) {
    return {
      kind: "failed",
      reason: "INSUFFICIENT_PERMISSIONS",
      message: "The DigitalOcean token is valid but lacks the account:read scope. Regenerate it with that scope (or full access).",
    };
  }
  const id = str(asObject(answer.json), "id");
  return {
    kind: "failed",
    reason: "PROVIDER_ERROR",
    message: `DigitalOcean refused the account read (HTTP ${answer.status}${id && /^[a-z_]+$/i.test(id) ? `, ${id}` : ""}).`,
  };
};
