import { create } from "@bufbuild/protobuf";
import {
  TrustPolicyReviewResult,
  TrustPolicyReviewSchema,
  VerificationWarningSchema,
  type TrustPolicyReview,
  type VerificationWarning,
} from "@planton/proto/planton/connect/v1/connection_pb";
import type { TrustPolicyReviewOutcome } from "./checks/review-warning.js";

const RESULTS: Readonly<Record<TrustPolicyReviewOutcome["result"], TrustPolicyReviewResult>> = {
  SOUND: TrustPolicyReviewResult.SOUND,
  FINDINGS: TrustPolicyReviewResult.FINDINGS,
  NOT_CHECKABLE: TrustPolicyReviewResult.NOT_CHECKABLE,
};

/**
 * trustReviewFields is a trust role's review as the registry records it:
 * Verification.trust_policy_review, and its findings as
 * Verification.warnings (code, capability, message, fix).
 */
export function trustReviewFields(review: TrustPolicyReviewOutcome): { trustPolicyReview: TrustPolicyReview; warnings: VerificationWarning[] } {
  return {
    trustPolicyReview: create(TrustPolicyReviewSchema, {
      result: RESULTS[review.result],
      reason: review.reason,
      attachedPolicyArns: [...review.attachedPolicyArns],
    }),
    warnings: review.warnings.map((w) => create(VerificationWarningSchema, { code: w.code, capability: w.capability, message: w.message, fix: w.fix })),
  };
}
