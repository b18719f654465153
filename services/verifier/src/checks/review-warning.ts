/**
 * A finding of a verification that does not fail it (Verification.warnings):
 * a stable UPPER_SNAKE `code`, the capability it concerns ("" for none), what
 * is wrong for a person, and the exact change that removes it. Never
 * contains a secret (nor the connection's external id).
 */
export interface ReviewWarning {
  readonly code: string;
  readonly capability: string;
  readonly message: string;
  readonly fix: string;
}

/**
 * The deployed role of a cross-account trust connection read back and
 * linted (Verification.trust_policy_review, its findings the verification's
 * warnings):
 * - `SOUND`: read whole, no finding;
 * - `FINDINGS`: at least one warning (`reason` says what could not be read,
 *   if anything);
 * - `NOT_CHECKABLE`: the role or its policies could not be read and nothing
 *   was found in what was; `reason` says why and what to change.
 */
export interface TrustPolicyReviewOutcome {
  readonly result: "SOUND" | "FINDINGS" | "NOT_CHECKABLE";
  readonly reason: string;
  /** The managed policies attached to the role, as ListAttachedRolePolicies listed them. */
  readonly attachedPolicyArns: readonly string[];
  readonly warnings: readonly ReviewWarning[];
}
