import { maskAccessKeyIdsIn } from "@planton/providers";
import type { CheckResult } from "./provider-check.js";

/**
 * Check results shared by the AWS STS checks (inline keys, cross-account
 * trust): the answers every STS call can get (throttling, server faults,
 * unknown codes), and the scrubbing of their messages.
 */

/** A `transient` check result. */
export type Transient = Extract<CheckResult, { kind: "transient" }>;

// Codes the JS SDK classifies as throttling (@smithy/service-error-classification).
const THROTTLING_CODES: ReadonlySet<string> = new Set([
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
    return transient(
      "PROVIDER_UNAVAILABLE",
      `AWS STS is having problems (HTTP ${status}${code ? `, ${code}` : ""}). This does not mean ${subject} is bad; try again later.`,
      retryAfterMs,
    );
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
