import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AwsTrustSetupSchema, AwsTrustSetupState } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { trustOutcome } from "./trust-outcome.js";

const setup = (state: AwsTrustSetupState) =>
  create(AwsTrustSetupSchema, { state, roleArn: "arn:aws:iam::123456789012:role/r", expiresAt: timestampFromDate(new Date("2026-05-01T10:10:00Z")) });
const connection = (status: ConnectionStatus, verification?: { reason: string; message: string; identity?: string }) =>
  create(ConnectionSchema, {
    slug: "payments-prod-aws",
    status,
    ...(verification ? { lastVerification: { ok: status === ConnectionStatus.VERIFIED, ...verification } } : {}),
  });

describe("trustOutcome", () => {
  it("succeeds only once the captured role is verified", () => {
    const ok = trustOutcome(
      setup(AwsTrustSetupState.COMPLETED),
      connection(ConnectionStatus.VERIFIED, { reason: "", message: "", identity: "arn:aws:sts::1:assumed-role/r/s" }),
    );
    expect(ok.exitCode).toBe(0);
    expect(ok.summary).toContain("arn:aws:iam::123456789012:role/r");
  });

  it("fails with the reason and message of a failed verification", () => {
    const failed = trustOutcome(
      setup(AwsTrustSetupState.COMPLETED),
      connection(ConnectionStatus.VERIFICATION_FAILED, { reason: "ROLE_NOT_ASSUMABLE", message: "Check the trust policy." }),
    );
    expect(failed).toEqual({ exitCode: 1, summary: "verification failed: ROLE_NOT_ASSUMABLE: Check the trust policy." });
  });

  it("fails for an expired or superseded setup, and for a watch that ended early", () => {
    expect(trustOutcome(setup(AwsTrustSetupState.EXPIRED), connection(ConnectionStatus.AWAITING_TRUST_SETUP))).toEqual({
      exitCode: 1,
      summary: expect.stringContaining("expired at 2026-05-01T10:10:00Z"),
    });
    expect(trustOutcome(setup(AwsTrustSetupState.SUPERSEDED), connection(ConnectionStatus.VERIFIED)).summary).toMatch(/newer setup/);
    expect(trustOutcome(setup(AwsTrustSetupState.PENDING), connection(ConnectionStatus.AWAITING_TRUST_SETUP)).exitCode).toBe(1);
    expect(trustOutcome(setup(AwsTrustSetupState.COMPLETED), connection(ConnectionStatus.PENDING_VERIFICATION)).summary).toMatch(/pending_verification/);
    expect(trustOutcome(undefined, undefined).exitCode).toBe(1);
  });
});
