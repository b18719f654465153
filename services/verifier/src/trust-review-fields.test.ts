import { TrustPolicyReviewResult } from "@planton/proto/planton/connect/v1/connection_pb";
import { describe, expect, it } from "vitest";
import { trustReviewFields } from "./trust-review-fields.js";

describe("trustReviewFields", () => {
  it("maps each result and carries reason, attached policies and every warning field", () => {
    const fields = trustReviewFields({
      result: "FINDINGS",
      reason: "The document of X could not be read.",
      attachedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      warnings: [{ code: "POLICY_BROADER_THAN_CAPABILITIES", capability: "", message: "m", fix: "f" }],
    });
    expect(fields.trustPolicyReview).toMatchObject({
      result: TrustPolicyReviewResult.FINDINGS,
      reason: "The document of X could not be read.",
      attachedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    });
    expect(fields.warnings).toMatchObject([{ code: "POLICY_BROADER_THAN_CAPABILITIES", capability: "", message: "m", fix: "f" }]);
    for (const [result, expected] of [
      ["SOUND", TrustPolicyReviewResult.SOUND],
      ["NOT_CHECKABLE", TrustPolicyReviewResult.NOT_CHECKABLE],
    ] as const) {
      expect(trustReviewFields({ result, reason: "", attachedPolicyArns: [], warnings: [] }).trustPolicyReview.result).toBe(expected);
    }
  });
});
