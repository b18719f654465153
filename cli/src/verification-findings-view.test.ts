import { create } from "@bufbuild/protobuf";
import { CapabilityCheckResult, TrustPolicyReviewResult, VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { describe, expect, it } from "vitest";
import { renderKeyValues } from "./table.js";
import { createStyles } from "./terminal.js";
import { verificationFindingFields } from "./verification-findings-view.js";

const verification = create(VerificationSchema, {
  credentialVersion: 2,
  ok: true,
  identity: "arn:aws:sts::123456789012:assumed-role/planton/awsconn_1",
  capabilityChecks: [
    { capability: "EKS", enabled: true, result: CapabilityCheckResult.GRANTED, checkedActionCount: 9 },
    {
      capability: "S3_STORAGE",
      enabled: true,
      result: CapabilityCheckResult.MISSING,
      missingActions: ["s3:DeleteBucket", "s3:PutBucketPolicy"],
      checkedActionCount: 10,
    },
    { capability: "RDS", enabled: false, result: CapabilityCheckResult.MISSING, missingActions: ["rds:CreateDBInstance"], checkedActionCount: 9 },
    { capability: "KMS", enabled: true, result: CapabilityCheckResult.NOT_CHECKABLE, reason: "AWS IAM could not evaluate the policies now (Throttling)" },
  ],
  warnings: [
    {
      code: "CAPABILITY_NOT_USABLE",
      capability: "S3_STORAGE",
      message: "S3_STORAGE is enabled, but 2 actions are denied.",
      fix: "Re-run the setup for this connection.",
    },
    { code: "TRUST_POLICY_WILDCARD_PRINCIPAL", capability: "", message: "The trust policy trusts any principal.", fix: "" },
  ],
  trustPolicyReview: {
    result: TrustPolicyReviewResult.FINDINGS,
    attachedPolicyArns: ["arn:aws:iam::123456789012:policy/planton-eks", "arn:aws:iam::aws:policy/AdministratorAccess"],
  },
});

describe("verificationFindingFields", () => {
  it("shows one line per capability: granted, missing with the actions, not checkable with the reason", () => {
    const fields = verificationFindingFields(verification);
    expect(fields.filter(([k]) => k.startsWith("CAPABILITY "))).toEqual([
      ["CAPABILITY EKS", "granted (9 actions)"],
      ["CAPABILITY S3_STORAGE", "missing 2 of 10: s3:DeleteBucket, s3:PutBucketPolicy"],
      ["CAPABILITY RDS", "missing 1 of 9: rds:CreateDBInstance (not enabled)"],
      ["CAPABILITY KMS", "not checkable: AWS IAM could not evaluate the policies now (Throttling)"],
    ]);
  });

  it("shows each warning with its code, capability, message and fix, and the trust policy review", () => {
    const fields = verificationFindingFields(verification);
    expect(fields.filter(([k]) => k === "WARNING").map(([, v]) => v)).toEqual([
      "CAPABILITY_NOT_USABLE (S3_STORAGE): S3_STORAGE is enabled, but 2 actions are denied.\nfix: Re-run the setup for this connection.",
      "TRUST_POLICY_WILDCARD_PRINCIPAL: The trust policy trusts any principal.",
    ]);
    expect(Object.fromEntries(fields)).toMatchObject({
      "TRUST POLICY REVIEW": "findings (see WARNING)",
      "ATTACHED POLICIES": "arn:aws:iam::123456789012:policy/planton-eks\narn:aws:iam::aws:policy/AdministratorAccess",
    });
    // The fix sits under the message, aligned with the other values.
    expect(renderKeyValues(fields)).toContain(
      "WARNING                 CAPABILITY_NOT_USABLE (S3_STORAGE): S3_STORAGE is enabled, but 2 actions are denied.\n                        fix: Re-run",
    );
  });

  it("says why a trust role could not be reviewed, and colours only what needs attention", () => {
    const notCheckable = create(VerificationSchema, {
      ok: true,
      trustPolicyReview: { result: TrustPolicyReviewResult.NOT_CHECKABLE, reason: "iam:GetRole was denied" },
    });
    expect(verificationFindingFields(notCheckable)).toEqual([["TRUST POLICY REVIEW", "not checkable: iam:GetRole was denied"]]);
    const sound = create(VerificationSchema, { ok: true, trustPolicyReview: { result: TrustPolicyReviewResult.SOUND } });
    const colour = createStyles(true);
    expect(verificationFindingFields(sound, colour)).toEqual([["TRUST POLICY REVIEW", colour.green("sound")]]);
    expect(verificationFindingFields(verification, colour).find(([k]) => k === "CAPABILITY RDS")?.[1]).toBe(
      "missing 1 of 9: rds:CreateDBInstance (not enabled)",
    );
  });

  it("adds nothing for a verification without findings", () => {
    expect(verificationFindingFields(create(VerificationSchema, { ok: true, identity: "x" }))).toEqual([]);
  });
});
