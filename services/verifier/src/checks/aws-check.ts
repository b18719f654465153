import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { httpCall, parseRetryAfter } from "./http-call.js";
import type { CheckOptions, CheckResult, ProviderCheck } from "./provider-check.js";
import { signFormPost, stsRegionOf } from "./sigv4.js";

// GetCallerIdentity needs no IAM permission and cannot be blocked by an
// explicit Deny, so it proves the key pair itself and nothing else.
const GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15";

// Codes the JS SDK classifies as throttling (@smithy/service-error-classification).
const THROTTLING_CODES = new Set([
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
 * checkAws proves an AWS spec's inline access key pair by calling STS
 * `GetCallerIdentity` (Query protocol, SigV4-signed POST) at
 * `options.endpoints.awsSts`, once (retrying transients is the caller's job).
 *
 * - 200 with an `<Account>` equal to the spec's `account_id` → `verified`
 *   with the caller `Arn` as identity; a different account → `failed`
 *   ACCOUNT_MISMATCH.
 * - `InvalidClientTokenId` / `SignatureDoesNotMatch` → `failed`
 *   INVALID_CREDENTIALS ("Signature expired"/"not yet current" → `failed`
 *   CLOCK_SKEW: the key may be fine); `ExpiredToken` → `failed` EXPIRED;
 *   `AccessDenied` → `failed` INSUFFICIENT_PERMISSIONS;
 *   `RegionDisabledException` → `failed` REGION_UNAVAILABLE; any other 4xx
 *   code → `failed` PROVIDER_REJECTED naming the code.
 * - Throttling codes or 429 → `transient` THROTTLED; 5xx → `transient`
 *   PROVIDER_UNAVAILABLE; unparseable body → `transient` MALFORMED_RESPONSE;
 *   timeout → `transient` TIMEOUT; `options.signal` aborted → `transient`
 *   ABORTED; connection failure → `transient` NETWORK_ERROR. `retryAfterMs`
 *   is set when the response carried a valid `Retry-After`.
 * - Runner auth → `failed` NOT_APPLICABLE (runners prove themselves).
 *
 * Messages never contain the secret access key (they are also scrubbed of it
 * as a second line of defence). Throws only when `spec` is not an AWS spec or
 * has no auth set.
 */
export const checkAws: ProviderCheck = async (spec: ConnectionSpec, options: CheckOptions): Promise<CheckResult> => {
  if (spec.provider.case !== "aws") throw new Error(`checkAws: spec is ${spec.provider.case ?? "empty"}, not aws`);
  const aws = spec.provider.value;
  if (aws.auth.case === "runner") {
    return {
      kind: "failed",
      reason: "NOT_APPLICABLE",
      message: "This connection authenticates through a runner; its credentials are checked by the runner, not here.",
    };
  }
  if (aws.auth.case !== "inlineKeys") throw new Error("checkAws: AWS spec has no auth set");
  const { accessKeyId, secretAccessKey } = aws.auth.value;
  const result = await callerIdentity(aws.accountId, accessKeyId, secretAccessKey, options);
  return scrub(result, secretAccessKey);
};

async function callerIdentity(
  expectedAccount: string,
  accessKeyId: string,
  secretAccessKey: string,
  options: CheckOptions,
): Promise<CheckResult> {
  const url = options.endpoints.awsSts;
  const headers = signFormPost({
    url,
    body: GET_CALLER_IDENTITY,
    region: stsRegionOf(url),
    service: "sts",
    credentials: { accessKeyId, secretAccessKey },
  });
  const response = await send(url, { method: "POST", headers, body: GET_CALLER_IDENTITY }, options);
  if (response.kind === "transient") return response;
  const { status, body, retryAfterMs } = response;

  if (status === 200) {
    const account = xmlText(body, "Account");
    const arn = xmlText(body, "Arn");
    // UserId is parsed only to confirm the body is a real GetCallerIdentityResult.
    const userId = xmlText(body, "UserId");
    if (account === undefined || arn === undefined || userId === undefined || !body.includes("GetCallerIdentityResult")) {
      return transient("MALFORMED_RESPONSE", "AWS STS returned an unreadable GetCallerIdentity response. Try again later.");
    }
    if (account !== expectedAccount) {
      return {
        kind: "failed",
        reason: "ACCOUNT_MISMATCH",
        message: `The access key belongs to AWS account ${account} (${arn}), not to account ${expectedAccount} given for this connection. Use a key from account ${expectedAccount}, or correct the account ID.`,
      };
    }
    return { kind: "verified", identity: arn };
  }

  const code = xmlText(body, "Code");
  const errorMessage = xmlText(body, "Message") ?? "";
  if (code !== undefined) {
    const mapped = mapErrorCode(code, errorMessage, accessKeyId, retryAfterMs);
    if (mapped !== undefined) return mapped;
  }
  if (status === 429 || (code !== undefined && THROTTLING_CODES.has(code))) {
    return transient("THROTTLED", "AWS is rate-limiting requests. Try again shortly.", retryAfterMs);
  }
  if (status >= 500) {
    return transient("PROVIDER_UNAVAILABLE", `AWS STS is having problems (HTTP ${status}${code ? `, ${code}` : ""}). This does not mean the key is bad; try again later.`, retryAfterMs);
  }
  if (code === undefined) {
    return transient("MALFORMED_RESPONSE", `AWS STS answered HTTP ${status} without a readable error. Try again later.`, retryAfterMs);
  }
  return {
    kind: "failed",
    reason: "PROVIDER_REJECTED",
    message: `AWS STS rejected the request with ${code} (HTTP ${status}).`,
  };
}

// Branches on the machine-readable Code, as the reference advises; the free
// text is consulted only to tell clock skew apart inside SignatureDoesNotMatch.
function mapErrorCode(code: string, awsMessage: string, accessKeyId: string, retryAfterMs: number | undefined): CheckResult | undefined {
  switch (code) {
    case "InvalidClientTokenId":
      return failed(
        "INVALID_CREDENTIALS",
        `AWS does not recognise access key ID ${accessKeyId}: it may have been deleted, mistyped, or be a temporary (ASIA…) key used without its session token. Check the access key ID and secret access key pair.`,
      );
    case "SignatureDoesNotMatch":
      if (/Signature expired|Signature not yet current/i.test(awsMessage)) {
        return failed(
          "CLOCK_SKEW",
          "AWS rejected the request time: the verifier's clock differs from AWS's by more than 15 minutes. This says nothing about the key; the clock must be synchronised.",
        );
      }
      return failed(
        "INVALID_CREDENTIALS",
        `Access key ID ${accessKeyId} exists, but the secret access key does not match it. Check the key pair: re-copy the secret access key that was shown when the key was created.`,
      );
    case "IncompleteSignature":
    case "MissingAuthenticationToken":
      return failed("INVALID_CREDENTIALS", `AWS could not read the credentials (${code}). Check the access key ID and secret access key pair.`);
    case "ExpiredToken":
    case "RequestExpired":
      return code === "ExpiredToken"
        ? failed("EXPIRED", "These temporary AWS credentials have expired. Refresh the session or provide new credentials.")
        : failed("CLOCK_SKEW", "AWS says the request is too old: the verifier's clock is probably wrong. This says nothing about the key.");
    case "AccessDenied":
      return failed("INSUFFICIENT_PERMISSIONS", "The credentials are valid, but AWS denied the call. Check the IAM policies attached to this user or role.");
    case "RegionDisabledException":
      return failed(
        "REGION_UNAVAILABLE",
        "STS is not enabled for this account in the region of the configured STS endpoint. Enable the region in IAM account settings, or use another region.",
      );
    case "OptInRequired":
      return failed("INSUFFICIENT_PERMISSIONS", "The AWS account is not subscribed to this service (OptInRequired).");
    case "InternalFailure":
    case "ServiceUnavailable":
      return transient("PROVIDER_UNAVAILABLE", `AWS STS is having problems (${code}). This does not mean the key is bad; try again later.`, retryAfterMs);
    default:
      return undefined;
  }
}

/** Outcome of one HTTP exchange: a status and full body, or a transient failure. */
type Exchange =
  | { readonly kind: "response"; readonly status: number; readonly body: string; readonly retryAfterMs: number | undefined }
  | Extract<CheckResult, { kind: "transient" }>;

// One request through the shared HTTP helper (timeout covering the body,
// the caller's signal, error texts that never echo request details).
async function send(url: string, init: { method: "POST"; headers: Record<string, string>; body: string }, options: CheckOptions): Promise<Exchange> {
  const outcome = await httpCall("AWS STS", { url, ...init }, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  if (!outcome.ok) return outcome.transient;
  const { answer } = outcome;
  return { kind: "response", status: answer.status, body: answer.text, retryAfterMs: parseRetryAfter(answer.headers.get("retry-after")) };
}



// STS bodies are small, flat and namespace-default, so a tag regex is enough;
// the first occurrence is the one inside the Result/Error element.
function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlEntities(match[1].trim());
}

function decodeXmlEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function failed(reason: string, message: string): CheckResult {
  return { kind: "failed", reason, message };
}

function transient(reason: string, message: string, retryAfterMs?: number): Extract<CheckResult, { kind: "transient" }> {
  return retryAfterMs === undefined ? { kind: "transient", reason, message } : { kind: "transient", reason, message, retryAfterMs };
}

// Defence in depth: no message built above includes the secret, but if a
// future edit (or an echoing server) ever puts it there, it is cut out.
function scrub(result: CheckResult, secret: string): CheckResult {
  if (result.kind === "verified" || secret === "" || !result.message.includes(secret)) return result;
  return { ...result, message: result.message.split(secret).join("[redacted]") };
}
