import type { AwsCrossAccountTrust, ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { CheckOptions, CheckResult, ProviderCheck } from "./provider-check.js";
import { awsPermissionsStep } from "../permissions/aws-permissions.js";
import { assumeRole, type AssumeOutcome, type Session } from "./assume-role.js";
import { reviewDeployedRole } from "./aws-trust-review.js";
import { callerIdentity } from "./caller-identity.js";
import type { AwsCredentials } from "./sts-call.js";
import { failed, isStsServerFaultCode, otherStsAnswer, scrub, stsServerFault, transient } from "./sts-results.js";

/** RoleSessionName: 2 to 64 of `[\w+=,.@-]` (STS model). */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** ExternalId: 2 to 1224 of `[\w+=,.@:/-]` (STS model). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path><name>`.
 * Only what the check needs to predict the assumed-role ARN is parsed here;
 * STS judges the rest (an invalid name comes back as ValidationError).
 */
const ROLE_ARN = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** Longest piece of STS's own ValidationError text quoted to the user. */
const MAX_QUOTED = 300;

/**
 * checkAwsTrust proves an AWS cross-account-trust spec: that the platform's
 * own AWS identity (`options.platformAwsCredentials`, the runner principal the
 * customer's role trusts) can assume the role with the connection's external
 * id, that the role is the one recorded in the spec's account, and that the
 * role cannot be assumed *without* the external id (the confused-deputy test
 * AWS recommends). Every request is one `@aws-sdk/client-sts` call to
 * `options.endpoints.awsSts`, bounded by `options.timeoutMs`; retrying
 * transients is the caller's job.
 *
 * 1. No `platformAwsCredentials` → `failed` NOT_CONFIGURED; the provider
 *    throwing → `transient` PLATFORM_CREDENTIALS.
 * 2. `AssumeRole` (RoleSessionName = connection id, ExternalId,
 *    DurationSeconds 900) signed with the platform credentials:
 *    `AccessDenied` → `failed` ROLE_NOT_ASSUMABLE (missing or not yet
 *    propagated role, trust policy not trusting the platform, or external id
 *    mismatch: STS does not say which; the caller may retry it for a while
 *    after the role was created); `InvalidClientTokenId` /
 *    `SignatureDoesNotMatch` / `ExpiredToken` (and the other signature codes)
 *    → `transient` PLATFORM_CREDENTIALS (the platform's identity was refused,
 *    not the user's role); `ValidationError` → `failed` INVALID_ROLE quoting
 *    STS; `RegionDisabledException` → `failed` REGION_UNAVAILABLE.
 * 3. `GetCallerIdentity` with the temporary credentials: an account other
 *    than the spec's `account_id` → `failed` ACCOUNT_MISMATCH; an ARN other
 *    than `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`
 *    → `failed` ROLE_MISMATCH; error codes map as in checkAws
 *    (INVALID_CREDENTIALS, CLOCK_SKEW, EXPIRED, ...), worded for a session.
 * 4. `AssumeRole` again without ExternalId: `AccessDenied` (the expected
 *    answer) → `verified` with the assumed-role ARN of step 3 as identity
 *    and, with `endpoints.awsIam` set, the role read back with its session
 *    and linted (`trustPolicyReview`, see {@link reviewDeployedRole}; it
 *    never changes the outcome);
 *    success → `failed` EXTERNAL_ID_NOT_ENFORCED; platform-credential codes →
 *    `transient` PLATFORM_CREDENTIALS; other codes → `failed`
 *    PROVIDER_REJECTED.
 * 5. With `checkPermissions` and `endpoints.awsIam`: the role's session
 *    simulates the role's own policies per capability (see
 *    awsPermissionsStep); its outcome never changes the verdict.
 *
 * In every step: throttling code or 429 → `transient` THROTTLED (with
 * `retryAfterMs` from Retry-After); 5xx / InternalFailure /
 * ServiceUnavailable → `transient` PROVIDER_UNAVAILABLE; unreadable body →
 * `transient` MALFORMED_RESPONSE; timeout / abort / connection failure →
 * `transient` TIMEOUT / ABORTED / NETWORK_ERROR.
 *
 * Before calling STS: a role ARN that is not an IAM role ARN → `failed`
 * INVALID_ROLE; an external id that is empty or outside STS's constraints →
 * `failed` INVALID_EXTERNAL_ID.
 *
 * Messages never contain the external id, the temporary credentials or the
 * platform's secret (they are also scrubbed of them as a second line of
 * defence). Throws only for programming errors: a spec that is not AWS
 * cross-account trust, or a connection id that is not a valid session name.
 */
export const checkAwsTrust: ProviderCheck = async (spec: ConnectionSpec, options: CheckOptions): Promise<CheckResult> => {
  if (spec.provider.case !== "aws") throw new Error(`checkAwsTrust: spec is ${spec.provider.case ?? "empty"}, not aws`);
  const aws = spec.provider.value;
  if (aws.auth.case !== "crossAccountTrust") {
    throw new Error(`checkAwsTrust: AWS spec auth is ${aws.auth.case ?? "unset"}, not crossAccountTrust`);
  }
  if (!SESSION_NAME.test(options.connectionId)) {
    throw new Error("checkAwsTrust: the connection id is not a valid RoleSessionName ([\\w+=,.@-]{2,64})");
  }
  const { externalId } = aws.auth.value;
  // Everything secret this check handles; filled as it learns more.
  const secrets: string[] = [externalId];
  const result = await verifyTrust(aws.accountId, aws.auth.value, options, secrets, aws.region || "us-west-2");
  return scrub(result, secrets);
};

async function verifyTrust(
  expectedAccount: string,
  trust: AwsCrossAccountTrust,
  options: CheckOptions,
  secrets: string[],
  region: string,
): Promise<CheckResult> {
  const { roleArn, externalId } = trust;
  const role = ROLE_ARN.exec(roleArn);
  if (!role) {
    return failed(
      "INVALID_ROLE",
      `The role ARN recorded for this connection (${roleArn}) is not an IAM role ARN (arn:aws:iam::<account>:role/<name>). Re-run the setup so the platform records the role it creates.`,
    );
  }
  const [, partition = "", roleAccount = "", roleName = ""] = role;
  if (!EXTERNAL_ID.test(externalId)) {
    return failed(
      "INVALID_EXTERNAL_ID",
      "The external id recorded for this connection is missing or malformed. Re-run the setup to get a new external id and role.",
    );
  }

  if (options.platformAwsCredentials === undefined) {
    return failed(
      "NOT_CONFIGURED",
      "This verifier has no AWS identity to assume roles with, so cross-account trust cannot be checked here. " +
        "Operators: give the verifier the runner principal's credentials through the standard AWS credential chain.",
    );
  }
  let platform: AwsCredentials;
  try {
    platform = await options.platformAwsCredentials();
  } catch {
    // The error text is not quoted: credential providers may echo configuration.
    return transient(
      "PLATFORM_CREDENTIALS",
      "The platform could not load its own AWS credentials, so it could not try your role. This says nothing about your role; it will be retried.",
    );
  }
  secrets.push(platform.secretAccessKey, platform.sessionToken ?? "");

  const sessionName = options.connectionId;
  const first = await assumeRole(roleArn, sessionName, externalId, platform, options);
  if (first.kind === "transient") return first;
  if (first.kind === "denied") {
    return failed(
      "ROLE_NOT_ASSUMABLE",
      `The platform could not assume the role ${roleArn}. Either the role does not exist yet or was deleted, its trust policy does not trust the platform's principal, ` +
        "or the external id in its trust policy does not match the one from the setup (AWS does not say which). " +
        "If the stack finished a moment ago, wait a minute; otherwise re-run the setup to recreate the role.",
    );
  }
  if (first.kind === "error") return assumeRoleError(first, roleArn, "first");
  const session = first.session;
  secrets.push(session.credentials.accessKeyId, session.credentials.secretAccessKey, session.credentials.sessionToken);

  const who = await sessionIdentity(session, options);
  if (who.kind !== "identity") return who;
  if (who.account !== expectedAccount) {
    return failed(
      "ACCOUNT_MISMATCH",
      `The role ${roleArn} is in AWS account ${who.account}, not in account ${expectedAccount} given for this connection. ` +
        `Re-run the setup while signed in to account ${expectedAccount}, or correct the account ID.`,
    );
  }
  const expectedArn = `arn:${partition}:sts::${roleAccount}:assumed-role/${roleName}/${sessionName}`;
  if (!sameAssumedRole(who.arn, expectedArn)) {
    return failed(
      "ROLE_MISMATCH",
      `Assuming ${roleArn} gave the identity ${who.arn}, not ${expectedArn} as expected. Re-run the setup so the platform records the role it creates.`,
    );
  }

  // Confused-deputy test: the same principal must NOT get in without the id.
  const second = await assumeRole(roleArn, sessionName, undefined, platform, options);
  if (second.kind === "transient") return second;
  if (second.kind === "denied") {
    // The role reads itself back and simulates itself (the template allows both).
    const role = { arn: roleArn, kind: "role" as const, name: roleName, partition, account: roleAccount, region };
    const [review, permissions] = await Promise.all([
      reviewDeployedRole(options, session.credentials, trust),
      awsPermissionsStep(options.endpoints.awsIam, session.credentials, role, trust.capabilities, options),
    ]);
    return { kind: "verified", identity: who.arn, ...(review ? { trustPolicyReview: review } : {}), ...permissions };
  }
  if (second.kind === "session") {
    const extra = second.session.credentials;
    secrets.push(extra.accessKeyId, extra.secretAccessKey, extra.sessionToken);
    return failed(
      "EXTERNAL_ID_NOT_ENFORCED",
      `The role ${roleArn} can be assumed without the external id, so another customer of the platform could make the platform act on your account (the "confused deputy" problem). ` +
        `Add "Condition": {"StringEquals": {"sts:ExternalId": "<the external id from the setup>"}} to the statement of the role's trust policy that trusts the platform, ` +
        "or re-run the setup with the platform's template, which sets it.",
    );
  }
  return assumeRoleError(second, roleArn, "second");
}

// Errors of the platform's AssumeRole calls other than AccessDenied. Codes
// about the signature or the token concern the platform's own credentials:
// transient, never blamed on the user's role.
function assumeRoleError(error: Extract<AssumeOutcome, { kind: "error" }>, roleArn: string, which: "first" | "second"): CheckResult {
  const { status, code, message, retryAfterMs } = error;
  switch (code) {
    case "InvalidClientTokenId":
    case "SignatureDoesNotMatch":
    case "ExpiredToken":
    case "IncompleteSignature":
    case "MissingAuthenticationToken":
    case "RequestExpired": {
      const clock = code === "RequestExpired" || /Signature expired|Signature not yet current/i.test(message);
      return transient(
        "PLATFORM_CREDENTIALS",
        `AWS refused the platform's own AWS identity (${code}${clock ? ": the verifier's clock looks wrong" : ""}), not your role. ` +
          "This says nothing about your role; it will be retried once the platform's credentials are fixed.",
        retryAfterMs,
      );
    }
    case "RegionDisabledException":
      return failed(
        "REGION_UNAVAILABLE",
        "STS is not activated for the account in the region of the platform's STS endpoint. An administrator can activate STS for that region in the IAM console (Account settings).",
      );
    case "ValidationError":
      if (which === "first") {
        return failed(
          "INVALID_ROLE",
          `AWS STS refused to assume the role ${roleArn}: ${quote(message)}. Re-run the setup so the platform records the role it creates.`,
        );
      }
      break;
    default:
      if (code !== undefined && isStsServerFaultCode(code)) return stsServerFault(code, retryAfterMs, "the role");
  }
  return otherStsAnswer(status, code, retryAfterMs, "the role");
}

// Who the role's session is, from GetCallerIdentity with its credentials:
// the identity, or the result for an error (worded for a session).
async function sessionIdentity(
  session: Session,
  options: CheckOptions,
): Promise<{ readonly kind: "identity"; readonly account: string; readonly arn: string } | CheckResult> {
  const answer = await callerIdentity(session.credentials, options);
  if (answer.kind !== "error") return answer;
  const { status, code, message, retryAfterMs } = answer;
  switch (code) {
    case "InvalidClientTokenId":
    case "IncompleteSignature":
    case "MissingAuthenticationToken":
      return failed(
        "INVALID_CREDENTIALS",
        `AWS did not accept the temporary credentials it had just issued for the role (${code}). ` +
          "If the STS endpoint is a regional one in an opt-in region, its session tokens may not be valid there; try again, and check the verifier's STS endpoint if it persists.",
      );
    case "SignatureDoesNotMatch":
      if (/Signature expired|Signature not yet current/i.test(message)) {
        return failed(
          "CLOCK_SKEW",
          "AWS rejected the request time: the verifier's clock differs from AWS's by more than 15 minutes. This says nothing about the role; the clock must be synchronised.",
        );
      }
      return failed(
        "INVALID_CREDENTIALS",
        "AWS did not accept the signature made with the temporary credentials it had just issued for the role (SignatureDoesNotMatch). Try again.",
      );
    case "ExpiredToken":
      return failed(
        "EXPIRED",
        "AWS reported the temporary credentials it had just issued for the role as expired. The verifier's clock may be wrong; try again.",
      );
    case "RequestExpired":
      return failed("CLOCK_SKEW", "AWS says the request is too old: the verifier's clock is probably wrong. This says nothing about the role.");
    case "AccessDenied":
      return failed(
        "INSUFFICIENT_PERMISSIONS",
        "AWS denied GetCallerIdentity to the role's session, which it normally never does. Check the account's service control policies.",
      );
    case "RegionDisabledException":
      return failed(
        "REGION_UNAVAILABLE",
        "STS is not activated for the role's account in the region of the platform's STS endpoint. Activate the region in the IAM console (Account settings), or re-run the setup.",
      );
    default:
      if (code !== undefined && isStsServerFaultCode(code)) return stsServerFault(code, retryAfterMs, "the role");
      return otherStsAnswer(status, code, retryAfterMs, "the role");
  }
}

// The assumed-role ARN carries the role's real name, and IAM role names are
// unique regardless of case, so the name is compared case-insensitively.
function sameAssumedRole(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const split = (arn: string): [string, string, string] | undefined => {
    const m = /^(arn:[^:]+:sts::\d{12}:assumed-role\/)([^/]+)\/(.+)$/.exec(arn);
    return m ? [m[1] ?? "", m[2] ?? "", m[3] ?? ""] : undefined;
  };
  const a = split(actual);
  const e = split(expected);
  return a !== undefined && e !== undefined && a[0] === e[0] && a[1].toLowerCase() === e[1].toLowerCase() && a[2] === e[2];
}

// STS's ValidationError text, bounded and on one line (it is scrubbed later).
function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  const bounded = flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED)}…` : flat;
  return bounded === "" ? "ValidationError" : bounded.replace(/\.$/, "");
}
