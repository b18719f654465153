import type { ProviderCheck } from "./provider-check.js";
import { asObject, httpCall, isHeaderSafe, isTransientStatus, malformed, str, transientForStatus } from "./http-call.js";

const PROVIDER = "Civo";

/**
 * The identity a verified Civo check reports: `/v2/regions` proves the key
 * authenticates but names no account, so this is a fixed label (the contract
 * in provider-check.ts says "civo").
 */
export const CIVO_IDENTITY = "civo";

const INVALID_KEY_CODES = new Set(["database_account_not_found", "authentication_failed"]);

/**
 * checkCivo proves a Civo API key with `GET {civo}/v2/regions` (Bearer) and,
 * when the spec has a default_region, that the region is offered (matched
 * case-insensitively on `code`).
 *
 * - verified: identity = {@link CIVO_IDENTITY}.
 * - failed: INVALID_CREDENTIALS (401/403, or a body with code
 *   `database_account_not_found` / `authentication_failed` or result
 *   `requires_authentication`), REGION_UNAVAILABLE (default region not listed;
 *   the message names the available codes), PROVIDER_ERROR (other 4xx).
 * - transient: 429, 5xx (or a body `status: 500`), timeouts, network errors,
 *   a 200 body that isn't the documented array.
 *
 * Throws only when `spec` is not a Civo spec with an api_token.
 */
export const checkCivo: ProviderCheck = async (spec, options) => {
  if (spec.provider.case !== "civo") throw new Error(`checkCivo: spec provider is ${spec.provider.case ?? "unset"}, not civo`);
  const { apiToken, defaultRegion } = spec.provider.value;
  if (!apiToken) throw new Error("checkCivo: api_token is required");
  if (!isHeaderSafe(apiToken)) {
    return {
      kind: "failed",
      reason: "INVALID_CREDENTIALS",
      message: "The Civo API key contains whitespace or control characters. Paste it again without line breaks or spaces.",
    };
  }
  const call = await httpCall(
    PROVIDER,
    {
      method: "GET",
      url: `${options.endpoints.civo.replace(/\/+$/, "")}/v2/regions`,
      headers: { authorization: `Bearer ${apiToken}`, accept: "application/json" },
    },
    options.signal ? { timeoutMs: options.timeoutMs, signal: options.signal } : { timeoutMs: options.timeoutMs },
  );
  if (!call.ok) return call.transient;
  const answer = call.answer;
  const body = asObject(answer.json);

  // Civo's error bodies are checked before the status because the reference
  // is unsure which status each one comes with; be lenient (§5.3).
  const code = str(body, "code");
  if (
    answer.status === 401 ||
    answer.status === 403 ||
    (code !== undefined && INVALID_KEY_CODES.has(code)) ||
    str(body, "result") === "requires_authentication"
  ) {
    return {
      kind: "failed",
      reason: "INVALID_CREDENTIALS",
      message: "The Civo API key is invalid or has been regenerated. Copy the current key from the Civo dashboard's API key settings.",
    };
  }
  if (isTransientStatus(answer.status) || body?.["status"] === 500) return transientForStatus(PROVIDER, answer);
  if (answer.status !== 200) return { kind: "failed", reason: "PROVIDER_ERROR", message: `Civo refused the region list (HTTP ${answer.status}).` };

  if (!Array.isArray(answer.json)) return malformed(PROVIDER, "region list");
  const codes: string[] = [];
  for (const item of answer.json) {
    const regionCode = str(asObject(item), "code");
    if (regionCode === undefined) return malformed(PROVIDER, "region list");
    codes.push(regionCode);
  }
  if (defaultRegion) {
    const wanted = defaultRegion.toLowerCase();
    if (!codes.some((c) => c.toLowerCase() === wanted)) {
      // The region code is user input, not a secret; quote it so the user sees the typo.
      return {
        kind: "failed",
        reason: "REGION_UNAVAILABLE",
        message: `The Civo API key works, but default region "${defaultRegion}" isn't offered to this account. Available regions: ${codes.join(", ") || "(none)"}.`,
      };
    }
  }
  return { kind: "verified", identity: CIVO_IDENTITY };
};
