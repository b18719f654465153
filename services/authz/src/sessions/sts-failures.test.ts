import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { sessionFailureOf } from "./sts-failures.js";

const context = { roleArn: "arn:aws:iam::123456789012:role/demo", durationSeconds: 7200 };

// The shapes @aws-sdk/client-sts gives its errors: Code (wire code), name, message, the raw response.
function stsError(status: number, code: string, message: string) {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: status >= 500 ? "server" : "client",
    $response: { statusCode: status },
    $metadata: { httpStatusCode: status },
  });
}

describe("sessionFailureOf", () => {
  it("maps AccessDenied to FAILED_PRECONDITION that says what the trust policy must allow, without STS's words", () => {
    const failure = sessionFailureOf(
      stsError(403, "AccessDenied", "User: arn:aws:iam::999999999999:role/runner is not authorized to perform: sts:TagSession"),
      context,
    );
    expect(failure.error.code).toBe(Code.FailedPrecondition);
    expect(failure.error.rawMessage).toMatch(/sts:TagSession and sts:SetSourceIdentity/);
    expect(failure.error.rawMessage).toMatch(/sts:ExternalId/);
    expect(failure.error.rawMessage).not.toMatch(/999999999999/);
    expect(failure).toMatchObject({ stsCode: "AccessDenied", platformProblem: false });
  });

  it("maps duration ValidationErrors to INVALID_ARGUMENT on session_duration, telling the role's maximum from role chaining", () => {
    const max = sessionFailureOf(stsError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."), context);
    expect(max.error.code).toBe(Code.InvalidArgument);
    expect(max.error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]).toMatchObject({ field: "session_duration", reason: "ROLE_MAX_SESSION_DURATION" });
    const chain = sessionFailureOf(
      stsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
      context,
    );
    expect(chain.error.findDetails(BadRequestSchema)[0]?.fieldViolations[0]).toMatchObject({ field: "session_duration", reason: "ROLE_CHAINING_LIMIT" });
    // Another ValidationError is not the caller's duration.
    expect(sessionFailureOf(stsError(400, "ValidationError", "arn:bad is invalid"), context).error.code).toBe(Code.FailedPrecondition);
  });

  it("maps outages to UNAVAILABLE: 5xx, throttling, 429, no answer, an unreadable 200", () => {
    for (const error of [
      stsError(500, "InternalFailure", ""),
      stsError(503, "ServiceUnavailable", ""),
      stsError(400, "Throttling", "Rate exceeded"),
      stsError(429, "Unknown", ""),
      Object.assign(new Error("connect ECONNREFUSED"), { name: "Error", code: "ECONNREFUSED", $metadata: {} }),
      Object.assign(new Error("timeout"), { name: "TimeoutError" }),
      { $metadata: { httpStatusCode: 200 } },
    ]) {
      const failure = sessionFailureOf(error, context);
      expect(failure.error.code).toBe(Code.Unavailable);
      expect(failure.platformProblem).toBe(false);
    }
  });

  it("maps the platform's own identity being refused or missing to UNAVAILABLE, flagged for the operator", () => {
    for (const code of ["InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken"]) {
      const failure = sessionFailureOf(stsError(403, code, "The security token included in the request is invalid."), context);
      expect(failure.error.code).toBe(Code.Unavailable);
      expect(failure.platformProblem).toBe(true);
      expect(failure.error.rawMessage).toContain(code);
    }
    const missing = sessionFailureOf(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), context);
    expect(missing.error.code).toBe(Code.Unavailable);
    expect(missing.platformProblem).toBe(true);
    expect(missing.error.rawMessage).not.toMatch(/Could not load/);
  });

  it("maps RegionDisabledException and other refusals to FAILED_PRECONDITION, quoting only a code-shaped code", () => {
    expect(sessionFailureOf(stsError(403, "RegionDisabledException", "STS is not activated"), context).error.code).toBe(Code.FailedPrecondition);
    expect(sessionFailureOf(stsError(400, "PackedPolicyTooLarge", ""), context).error.rawMessage).toMatch(/\(PackedPolicyTooLarge\)/);
    expect(sessionFailureOf(stsError(400, "<b>secret stuff</b>", ""), context).error.rawMessage).toMatch(/\(HTTP 400\)$/);
  });
});
