import { Code, ConnectError } from "@connectrpc/connect";
import { badRequest } from "@planton/server";

/** STS error codes reported as metric labels as they are; any other code is `OTHER` (bounded labels). */
export const KNOWN_STS_ERRORS: readonly string[] = [
  "AccessDenied",
  "ValidationError",
  "Throttling",
  "ExpiredToken",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "RegionDisabledException",
  "PackedPolicyTooLarge",
  "InternalFailure",
  "ServiceUnavailable",
];

// Codes of requests AWS refused because of who signed them: the platform's
// own identity (unknown, deleted or expired key, wrong secret, clock).
const PLATFORM_IDENTITY_ERRORS = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "RequestExpired",
]);

// The throttling codes the SDK's standard retry mode retries (@smithy/service-error-classification).
const THROTTLING_ERRORS = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);

/** How an AssumeRole for a session failed: the error the caller gets, and what to count and log. */
export interface SessionFailure {
  readonly error: ConnectError;
  /** The STS error code ("" when STS did not answer with one). */
  readonly stsCode: string;
  /** True when the platform's own AWS identity is at fault: the operator must act, so it is logged as an error. */
  readonly platformProblem: boolean;
}

/** What AssumeRole was asked for, for the words of a failure (nothing secret). */
export interface FailureContext {
  readonly roleArn: string;
  readonly durationSeconds: number;
}

/**
 * sessionFailureOf maps a failed AssumeRole (an error of `@aws-sdk/client-sts`
 * or of the platform's credential chain) to the ConnectError a resolve
 * fails with. STS's own message is never quoted (it names principals and may
 * echo request values); the code decides:
 *
 * - AccessDenied: FAILED_PRECONDITION. The role does not let the platform
 *   assume it with session tags and a source identity under the external-id
 *   condition (a role made by trust template v1), or the role or its trust
 *   changed.
 * - ValidationError about DurationSeconds: INVALID_ARGUMENT on
 *   `session_duration` (above the role's MaxSessionDuration, or above 1 hour
 *   when the platform's identity is itself an assumed role: role chaining).
 * - RegionDisabledException, other refusals (4xx): FAILED_PRECONDITION.
 * - Throttling, 5xx, no answer (network, timeout), an unreadable answer:
 *   UNAVAILABLE, retry later.
 * - The platform's own identity refused (InvalidClientTokenId,
 *   SignatureDoesNotMatch, ExpiredToken, …) or missing from the credential
 *   chain: UNAVAILABLE. Neither the caller nor the customer can fix it, the
 *   operator must, and the platform is unable to mint sessions until then;
 *   expired credentials usually heal at the chain's next refresh.
 */
export function sessionFailureOf(error: unknown, context: FailureContext): SessionFailure {
  const record = (error ?? {}) as Record<string, unknown>;
  const name = typeof record["name"] === "string" ? record["name"] : "";
  if (name === "CredentialsProviderError" || name === "PlatformCredentialsError") {
    return {
      stsCode: "",
      platformProblem: true,
      error: new ConnectError(
        "session credentials are unavailable: the platform has no AWS identity of its own (the operator must provide the runner principal's credentials through the standard AWS chain); try again later",
        Code.Unavailable,
      ),
    };
  }
  const status = statusOf(record);
  // `Code` is the wire code; `name` may be the model's exception name.
  const stsCode = status === undefined ? "" : typeof record["Code"] === "string" ? record["Code"] : name;
  const message = typeof record["message"] === "string" ? record["message"] : "";
  const unavailable = (why: string, platformProblem = false): SessionFailure => ({
    stsCode,
    platformProblem,
    error: new ConnectError(`session credentials are unavailable: ${why}; try again later`, Code.Unavailable),
  });

  if (status === undefined) return unavailable("AWS STS did not answer");
  if (status < 300) return unavailable("AWS STS returned an unreadable AssumeRole response");
  if (PLATFORM_IDENTITY_ERRORS.has(stsCode)) {
    return unavailable(`AWS STS refused the platform's own AWS identity (${stsCode}); the operator must renew or fix the platform's AWS credentials`, true);
  }
  if (THROTTLING_ERRORS.has(stsCode) || status === 429) return unavailable("AWS STS is throttling the platform's requests");
  if (status >= 500) return unavailable(`AWS STS failed (HTTP ${status})`);
  if (stsCode === "AccessDenied") {
    return {
      stsCode,
      platformProblem: false,
      error: new ConnectError(
        `AWS refused to let the platform assume ${context.roleArn} for this deployment's session (AccessDenied). ` +
          "The role's trust policy must allow sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity for the platform under the sts:ExternalId condition; " +
          "roles made by trust template v1 lack the last two: update the stack to the current template or reconnect the connection. " +
          "Otherwise the role was deleted or no longer trusts the platform. Runners that assume the role themselves can resolve without session_credentials.",
        Code.FailedPrecondition,
      ),
    };
  }
  if (stsCode === "ValidationError" && /DurationSeconds/i.test(message)) {
    const chaining = /chain/i.test(message);
    return {
      stsCode,
      platformProblem: false,
      error: badRequest([
        chaining
          ? {
              field: "session_duration",
              reason: "ROLE_CHAINING_LIMIT",
              description: `${context.durationSeconds} s is more than AWS allows here: the platform's own AWS identity is itself an assumed role, and AWS caps sessions assumed by role chaining at 1 hour`,
            }
          : {
              field: "session_duration",
              reason: "ROLE_MAX_SESSION_DURATION",
              description: `${context.durationSeconds} s is more than the role's maximum session duration (its MaxSessionDuration: 1 hour unless the role's owner raised it, 12 hours at most)`,
            },
      ]),
    };
  }
  if (stsCode === "RegionDisabledException") {
    return {
      stsCode,
      platformProblem: false,
      error: new ConnectError(
        "AWS STS is not activated for the role's account in the region of the platform's STS endpoint: the account's administrator can activate it in the IAM console (account settings), or the operator can use another regional endpoint",
        Code.FailedPrecondition,
      ),
    };
  }
  return {
    stsCode,
    platformProblem: false,
    // The code comes from whatever answered at the endpoint: quoted only when it looks like one.
    error: new ConnectError(
      `AWS STS refused to create the session (${/^[A-Za-z0-9.]{1,64}$/.test(stsCode) ? stsCode : `HTTP ${status}`})`,
      Code.FailedPrecondition,
    ),
  };
}

// The HTTP status when STS (or whatever is at the endpoint) answered; the
// SDK attaches the raw response to every error raised while reading one.
function statusOf(record: Record<string, unknown>): number | undefined {
  const response = record["$response"] as { statusCode?: unknown } | undefined;
  const status = response?.statusCode ?? (record["$metadata"] as { httpStatusCode?: unknown } | undefined)?.httpStatusCode;
  return typeof status === "number" && status > 0 ? status : undefined;
}
