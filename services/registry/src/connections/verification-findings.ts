import { create } from "@bufbuild/protobuf";
import {
  CapabilityCheckResult,
  CapabilityCheckSchema,
  TrustPolicyReviewSchema,
  VerificationSchema,
  VerificationWarningSchema,
  type Verification,
} from "@planton/proto/planton/connect/v1/connection_pb";
import { maskAccessKeyIdsIn } from "@planton/providers";

/**
 * maskedVerification is `verification` as the registry stores and returns
 * it: every free text a verifier wrote (message, identity, each capability
 * check's reason and missing actions, each warning's message and fix, the
 * trust review's reason and policy ARNs) with AWS access key ids replaced by
 * their hints. Defence in depth: the API shows key ids only as hints, and a
 * result quoting one (an older or third-party verifier) must not undo that.
 */
export function maskedVerification(verification: Verification): Verification {
  const review = verification.trustPolicyReview;
  return create(VerificationSchema, {
    ...verification,
    message: maskAccessKeyIdsIn(verification.message),
    identity: maskAccessKeyIdsIn(verification.identity),
    capabilityChecks: verification.capabilityChecks.map((c) =>
      create(CapabilityCheckSchema, { ...c, reason: maskAccessKeyIdsIn(c.reason), missingActions: c.missingActions.map(maskAccessKeyIdsIn) }),
    ),
    warnings: verification.warnings.map((w) =>
      create(VerificationWarningSchema, { ...w, message: maskAccessKeyIdsIn(w.message), fix: maskAccessKeyIdsIn(w.fix) }),
    ),
    ...(review
      ? {
          trustPolicyReview: create(TrustPolicyReviewSchema, {
            ...review,
            reason: maskAccessKeyIdsIn(review.reason),
            attachedPolicyArns: review.attachedPolicyArns.map(maskAccessKeyIdsIn),
          }),
        }
      : {}),
  });
}

/**
 * verifiedFindings is what connection.verified carries of a verification's
 * findings, so subscribers can alert without reading the connection: the
 * warnings' codes (each once, in order) and the enabled capabilities the
 * permission check found not usable (result MISSING).
 */
export function verifiedFindings(verification: Verification): { warningCodes: string[]; unusableCapabilities: string[] } {
  return {
    warningCodes: [...new Set(verification.warnings.map((w) => w.code).filter((code) => code !== ""))],
    unusableCapabilities: verification.capabilityChecks.filter((c) => c.enabled && c.result === CapabilityCheckResult.MISSING).map((c) => c.capability),
  };
}
