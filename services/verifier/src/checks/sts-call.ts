import { maskAccessKeyIdsIn } from "@planton/providers";
import { httpCall, parseRetryAfter } from "./http-call.js";
import type { CheckOptions, CheckResult } from "./provider-check.js";
import { signFormPost, stsRegionOf, uriEncode, type SigV4Credentials } from "./sigv4.js";

/**
 * Shared pieces of the AWS STS checks (inline keys, cross-account trust):
 * building Query-protocol bodies, one signed POST through the shared HTTP
 * helper, reading the flat XML STS answers, and mapping the answers every
 * STS call can get (throttling, server faults, unreadable bodies).
 */

/** The only STS API version; every Query request names it. */
export const STS_API_VERSION = "2011-06-15";

/** A `transient` check result. */
export type Transient = Extract<CheckResult, { kind: "transient" }>;

// Codes the JS SDK classifies as throttling (@smithy/service-error-classification).
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "SlowDown",
  "PriorRequestNotComplete",
  "BandwidthLimitExceeded",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "EC2ThrottledException",
]);

/**
 * The form body of an STS Query request: `Action=<action>&Version=2011-06-15`
 * followed by `params` in the given order (the SDK sends model order), names
 * and values percent-encoded (RFC 3986, as the SDK does).
 */
export function stsQueryBody(action: string, params: readonly (readonly [string, string])[] = []): string {
  return [["Action", action] as const, ["Version", STS_API_VERSION] as const, ...params]
    .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
    .join("&");
}

/** Outcome of one HTTP exchange: a status and full body, or a transient failure. */
export type StsExchange =
  | { readonly kind: "response"; readonly status: number; readonly body: string; readonly retryAfterMs: number | undefined }
  | Transient;

/**
 * stsPost signs `body` with `credentials` (SigV4, service `sts`, the region
 * of the endpoint; `x-amz-security-token` when the credentials have a session
 * token) and POSTs it once to `options.endpoints.awsSts` through the shared
 * HTTP helper (timeout covering the body, the caller's signal, error texts
 * that never echo request details). The bound is `options.timeoutMs`, the
 * verifier's `CHECK_TIMEOUT_MS` (README, Timeouts), per STS request.
 */
export async function stsPost(body: string, credentials: SigV4Credentials, options: CheckOptions): Promise<StsExchange> {
  const url = options.endpoints.awsSts;
  const headers = signFormPost({ url, body, region: stsRegionOf(url), service: "sts", credentials });
  const outcome = await httpCall(
    "AWS STS",
    { url, method: "POST", headers, body },
    { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (!outcome.ok) return outcome.transient;
  const { answer } = outcome;
  return { kind: "response", status: answer.status, body: answer.text, retryAfterMs: parseRetryAfter(answer.headers.get("retry-after")) };
}

/** The `<Code>` and `<Message>` of an STS error body (`Message` "" when absent). */
export function stsError(body: string): { readonly code: string | undefined; readonly message: string } {
  return { code: xmlText(body, "Code"), message: xmlText(body, "Message") ?? "" };
}

/**
 * The result for an STS error answer that the caller's code-specific mapping
 * did not handle: throttling code or 429 → `transient` THROTTLED; 5xx →
 * `transient` PROVIDER_UNAVAILABLE; no readable code → `transient`
 * MALFORMED_RESPONSE; anything else → `failed` PROVIDER_REJECTED naming the
 * code. `subject` names what a server fault says nothing about ("the key").
 */
export function otherStsAnswer(status: number, code: string | undefined, retryAfterMs: number | undefined, subject: string): CheckResult {
  if (status === 429 || (code !== undefined && THROTTLING_CODES.has(code))) {
    return transient("THROTTLED", "AWS is rate-limiting requests. Try again shortly.", retryAfterMs);
  }
  if (status >= 500) {
    return transient("PROVIDER_UNAVAILABLE", `AWS STS is having problems (HTTP ${status}${code ? `, ${code}` : ""}). This does not mean ${subject} is bad; try again later.`, retryAfterMs);
  }
  if (code === undefined) {
    return transient("MALFORMED_RESPONSE", `AWS STS answered HTTP ${status} without a readable error. Try again later.`, retryAfterMs);
  }
  return failed("PROVIDER_REJECTED", `AWS STS rejected the request with ${code} (HTTP ${status}).`);
}

/** `transient` PROVIDER_UNAVAILABLE for the server-fault codes (InternalFailure, ServiceUnavailable). */
export function stsServerFault(code: string, retryAfterMs: number | undefined, subject: string): Transient {
  return transient("PROVIDER_UNAVAILABLE", `AWS STS is having problems (${code}). This does not mean ${subject} is bad; try again later.`, retryAfterMs);
}

/** True for the codes STS uses for its own faults (Type Receiver). */
export function isStsServerFaultCode(code: string): boolean {
  return code === "InternalFailure" || code === "ServiceUnavailable";
}

// STS bodies are small, flat and namespace-default, so a tag regex is enough;
// the first occurrence is the one inside the Result/Error element.
/** The trimmed, entity-decoded text of the first `<tag>` element that holds only text. */
export function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlEntities(match[1].trim());
}

/**
 * callerIdentityOf reads a 200 GetCallerIdentity body: the account and ARN,
 * or undefined when the body is not a readable GetCallerIdentityResult
 * (UserId is required only to confirm that it is one).
 */
export function callerIdentityOf(body: string): { account: string; arn: string } | undefined {
  const account = xmlText(body, "Account");
  const arn = xmlText(body, "Arn");
  const userId = xmlText(body, "UserId");
  if (account === undefined || arn === undefined || userId === undefined || !body.includes("GetCallerIdentityResult")) return undefined;
  return { account, arn };
}

/** The raw inner XML of the first `<tag>…</tag>` element (children included), to scope {@link xmlText}. */
export function xmlElement(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match?.[1];
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** A `failed` check result. */
export function failed(reason: string, message: string): CheckResult {
  return { kind: "failed", reason, message };
}

/** A `transient` check result, with `retryAfterMs` only when known. */
export function transient(reason: string, message: string, retryAfterMs?: number): Transient {
  return retryAfterMs === undefined ? { kind: "transient", reason, message } : { kind: "transient", reason, message, retryAfterMs };
}

/**
 * Defence in depth: no message the checks build includes a secret, but if a
 * future edit (or an echoing server) ever puts one there, it is cut out; any
 * other AWS access key id (AKIA/ASIA...) left in the text is replaced by its
 * masked hint. Empty strings are ignored; a `verified` result carries no
 * message.
 */
export function scrub(result: CheckResult, secrets: readonly string[]): CheckResult {
  if (result.kind === "verified") return result;
  let message = result.message;
  for (const secret of secrets) {
    if (secret !== "" && message.includes(secret)) message = message.split(secret).join("[redacted]");
  }
  message = maskAccessKeyIdsIn(message);
  return message === result.message ? result : { ...result, message };
}
