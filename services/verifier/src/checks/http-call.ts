import type { CheckResult } from "./provider-check.js";

/** A provider answer that arrived completely: status, headers, raw text and the guarded JSON parse. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body, or `undefined` when the body is empty or not JSON (never throws). */
  readonly json: unknown;
}

/**
 * Either the provider answered (`answer`) or it could not be reached / did not
 * finish in time (`transient`, ready to return from a check).
 */
export type HttpOutcome =
  { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly transient: Extract<CheckResult, { kind: "transient" }> };

/** What {@link httpCall} sends. */
export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Per-call limits: the check's per-request timeout and the caller's abort signal. */
export interface HttpLimits {
  /**
   * Bound on the whole exchange, body included: the verifier's
   * `CHECK_TIMEOUT_MS` (README, Timeouts). Past it the check is `transient`
   * TIMEOUT, never a verdict on the credential.
   */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * httpCall performs one request with the global fetch, bounded by
 * `limits.timeoutMs` and by `limits.signal`, and reads the whole body under the
 * same bound (a server that sends headers and then stalls is still a timeout).
 * It never throws: network errors, timeouts and aborts become a `transient`
 * result whose message names only the provider and the error class, never the
 * request (headers may hold secrets, and undici echoes bad header values in
 * its error text).
 *
 * `provider` is a human name used in messages ("DigitalOcean").
 */
export async function httpCall(provider: string, request: HttpRequest, limits: HttpLimits): Promise<HttpOutcome> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  try {
    const init: RequestInit = { method: request.method, signal, redirect: "manual" };
    if (request.headers) init.headers = { ...request.headers };
    if (request.body !== undefined) init.body = request.body;
    const response = await fetch(request.url, init);
    const text = await response.text();
    return { ok: true, answer: { status: response.status, headers: response.headers, text, json: parseJson(text) } };
  } catch (error) {
    return { ok: false, transient: unanswered(provider, error, limits, timeout.aborted) };
  }
}

/**
 * unanswered turns a failed exchange into the `transient` result every check
 * returns for it: ABORTED when `limits.signal` was aborted, TIMEOUT when
 * `timedOut` (the `limits.timeoutMs` bound fired), NETWORK_ERROR otherwise.
 * The message names only `provider` and the errno-style code, never the
 * error's own text (it may quote request details).
 */
export function unanswered(provider: string, error: unknown, limits: HttpLimits, timedOut: boolean): Extract<CheckResult, { kind: "transient" }> {
  if (limits.signal?.aborted) {
    return { kind: "transient", reason: "ABORTED", message: `The ${provider} check was cancelled before ${provider} answered.` };
  }
  if (timedOut) {
    return {
      kind: "transient",
      reason: "TIMEOUT",
      message: `${provider} did not answer within ${limits.timeoutMs} ms. This doesn't mean the credential is bad; try again later.`,
    };
  }
  return {
    kind: "transient",
    reason: "NETWORK_ERROR",
    message: `${provider} could not be reached (${networkErrorCode(error)}). This doesn't mean the credential is bad; try again later.`,
  };
}

/** Parses JSON without throwing; `undefined` for empty or invalid text. */
function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Converts a `Retry-After` header (delta-seconds, possibly fractional, or an
 * HTTP date) into milliseconds from `now`; `undefined` when absent or
 * unparseable. Never negative: a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // Only an HTTP date (which has a weekday/month name) is accepted: V8's
  // Date.parse also takes things like "-5", which are not valid Retry-After.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Converts an epoch-seconds reset header (DigitalOcean `ratelimit-reset`) into
 * milliseconds from `now`; `undefined` when absent or unparseable.
 */
export function parseEpochReset(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - now);
}

/**
 * The transient result for a throttled (429) or failing (5xx) answer, with the
 * provider's `Retry-After` turned into `retryAfterMs` when given.
 */
export function transientForStatus(provider: string, answer: HttpAnswer, retryAfterMs?: number): Extract<CheckResult, { kind: "transient" }> {
  const after = retryAfterMs ?? parseRetryAfter(answer.headers.get("retry-after"));
  const base =
    answer.status === 429
      ? {
          kind: "transient" as const,
          reason: "RATE_LIMITED",
          message: `${provider} is rate-limiting requests. Try again${after !== undefined ? ` in ${Math.ceil(after / 1000)} s` : " shortly"}.`,
        }
      : {
          kind: "transient" as const,
          reason: "PROVIDER_UNAVAILABLE",
          message: `${provider} answered HTTP ${answer.status}; it is having problems. This doesn't mean the credential is bad; try again later.`,
        };
  return after !== undefined ? { ...base, retryAfterMs: after } : base;
}

/** True for statuses a verifier should treat as "provider can't answer now" (429, 5xx). */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** The transient result for a 2xx body that is not the documented shape. */
export function malformed(provider: string, what: string): Extract<CheckResult, { kind: "transient" }> {
  return {
    kind: "transient",
    reason: "MALFORMED_RESPONSE",
    message: `${provider} returned an unexpected ${what}. This doesn't mean the credential is bad; try again later.`,
  };
}

/**
 * True when `value` can be sent as an HTTP header value. A secret pasted with
 * a newline would otherwise make fetch throw (echoing the value), so checks
 * refuse it up front with a clear message instead.
 */
export function isHeaderSafe(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return value === value.trim() && !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) && !/[^\u0000-\u00ff]/.test(value);
}

/**
 * Replaces every occurrence of each non-empty secret in `text`; used on any
 * provider free text that a message quotes, as a second line of defence.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}

/** Narrow an unknown JSON value to a plain object (not an array, not null). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A string field of a JSON object, or `undefined`. */
export function str(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === "string" ? v : undefined;
}

function networkErrorCode(error: unknown): string {
  // Only the errno-style code is surfaced: the message text may contain
  // request details (undici quotes invalid header values).
  const cause = asObject(asObject(error)?.["cause"]);
  const code = str(cause, "code") ?? str(asObject(error), "code");
  return code !== undefined && /^[A-Z_]+$/.test(code) ? code : "network error";
}
