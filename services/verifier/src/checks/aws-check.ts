import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { maskIdentifier } from "@planton/providers";
import type { CheckOptions, CheckResult, ProviderCheck } from "./provider-check.js";
import { awsPermissionsStep, awsUserPrincipal } from "../permissions/aws-permissions.js";
import { readAwsKeyDates } from "./aws-key-dates.js";
import { callerIdentity } from "./caller-identity.js";
import { failed, isStsServerFaultCode, otherStsAnswer, scrub, stsServerFault } from "./sts-results.js";

/**
 * checkAws proves an AWS spec's inline access key pair by calling STS
 * `GetCallerIdentity` with `@aws-sdk/client-sts` at
 * `options.endpoints.awsSts`, once (retrying transients is the caller's job).
 * GetCallerIdentity needs no IAM permission and cannot be blocked by an
 * explicit Deny, so it proves the key pair itself and nothing else.
 *
 * - 200 with an `<Account>` equal to the spec's `account_id` → `verified`
 *   with the caller `Arn` as identity (and, with `endpoints.awsIam` set, the
 *   key's CreateDate as lifetime, see {@link readAwsKeyDates}; with
 *   `checkPermissions` too, what the key's IAM user may do, see
 *   {@link awsPermissionsStep}); a different
 *   account → `failed` ACCOUNT_MISMATCH.
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
 * Messages never contain the secret access key or the full access key id:
 * they name the key by its masked hint (`AKIA************MPLE`), as the API
 * does; both are also scrubbed, and any AKIA/ASIA key id masked, as a second
 * line of defence. Throws only when `spec` is not an AWS spec or
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
  const result = await proveKey(aws.accountId, aws.region || "us-west-2", accessKeyId, secretAccessKey, options);
  return scrub(result, [secretAccessKey]);
};

async function proveKey(expectedAccount: string, region: string, accessKeyId: string, secretAccessKey: string, options: CheckOptions): Promise<CheckResult> {
  const answer = await callerIdentity({ accessKeyId, secretAccessKey }, options);
  if (answer.kind === "transient") return answer;
  if (answer.kind === "identity") {
    const { account, arn } = answer;
    if (account !== expectedAccount) {
      return {
        kind: "failed",
        reason: "ACCOUNT_MISMATCH",
        message: `The access key belongs to AWS account ${account} (${arn}), not to account ${expectedAccount} given for this connection. Use a key from account ${expectedAccount}, or correct the account ID.`,
      };
    }
    const iam = options.endpoints.awsIam;
    // No selection of capabilities for a key: every one counts as enabled.
    const permissions = await awsPermissionsStep(iam, { accessKeyId, secretAccessKey }, awsUserPrincipal(arn, region), undefined, options);
    if (!iam) return { kind: "verified", identity: arn, ...permissions };
    return { kind: "verified", identity: arn, lifetime: await readAwsKeyDates(iam, { accessKeyId, secretAccessKey }, options), ...permissions };
  }
  const { status, code, message, retryAfterMs } = answer;
  if (code !== undefined) {
    // Messages name the key by its hint only, as every API response does.
    const mapped = mapErrorCode(code, message, maskIdentifier(accessKeyId), retryAfterMs);
    if (mapped !== undefined) return mapped;
  }
  return otherStsAnswer(status, code, retryAfterMs, "the key");
}

// Branches on the machine-readable Code, as the reference advises; the free
// text is consulted only to tell clock skew apart inside SignatureDoesNotMatch.
function mapErrorCode(code: string, awsMessage: string, keyHint: string, retryAfterMs: number | undefined): CheckResult | undefined {
  switch (code) {
    case "InvalidClientTokenId":
      return failed(
        "INVALID_CREDENTIALS",
        `AWS does not recognise access key ID ${keyHint}: it may have been deleted, mistyped, or be a temporary (ASIA…) key used without its session token. Check the access key ID and secret access key pair.`,
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
        `Access key ID ${keyHint} exists, but the secret access key does not match it. Check the key pair: re-copy the secret access key that was shown when the key was created.`,
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
    default:
      return isStsServerFaultCode(code) ? stsServerFault(code, retryAfterMs, "the key") : undefined;
  }
}
