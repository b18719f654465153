/**
 * What a verified credential may do, as its provider evaluated it: one
 * {@link CapabilityVerdict} per AWS capability or GCP / Azure resource
 * family, and the {@link PermissionFinding}s a user should act on. The
 * registry stores them as Verification.capability_checks and .warnings.
 */

/** The outcome for one capability: every action allowed, some denied, or the provider refused to evaluate. */
export type CapabilityOutcome = "granted" | "missing" | "not_checkable";

/** One capability's (or resource family's) permission check. */
export interface CapabilityVerdict {
  /** AWS: EKS, ECS, ... ; GCP / Azure: kubernetes, compute, ... */
  readonly capability: string;
  /** Whether the user enabled it (a trust role's capabilities; every family of a connection without a selection). */
  readonly enabled: boolean;
  readonly outcome: CapabilityOutcome;
  /** `missing`: the actions or permissions the provider denied, in table order. */
  readonly missingActions: readonly string[];
  /** How many representative actions or permissions were evaluated (0 when not checkable). */
  readonly checkedActionCount: number;
  /** `not_checkable`: why, naming the provider's error code; never a secret. */
  readonly reason: string;
}

/** A finding that does not fail the verification (Verification.warnings). */
export interface PermissionFinding {
  /** CAPABILITY_NOT_USABLE or PERMISSIONS_NOT_CHECKABLE. */
  readonly code: string;
  /** The capability or family concerned; empty when it concerns several. */
  readonly capability: string;
  readonly message: string;
  /** The exact change that removes it. */
  readonly fix: string;
}

/** The permission check of one verified credential. */
export interface PermissionReport {
  readonly capabilities: readonly CapabilityVerdict[];
  readonly warnings: readonly PermissionFinding[];
}

/**
 * verdictOf turns the decisions for one capability's representative actions
 * into its verdict: `granted` when none is denied, else `missing` listing
 * the denied ones (each once, in the order checked).
 */
export function verdictOf(capability: string, enabled: boolean, checked: readonly string[], denied: ReadonlySet<string>): CapabilityVerdict {
  const missing = [...new Set(checked.filter((action) => denied.has(action)))];
  return {
    capability,
    enabled,
    outcome: missing.length === 0 ? "granted" : "missing",
    missingActions: missing,
    checkedActionCount: checked.length,
    reason: "",
  };
}

/** notCheckable marks every capability `not_checkable` with the same reason (the provider refused the check itself). */
export function notCheckable(capabilities: readonly { capability: string; enabled: boolean }[], reason: string): CapabilityVerdict[] {
  return capabilities.map(({ capability, enabled }) => ({ capability, enabled, outcome: "not_checkable", missingActions: [], checkedActionCount: 0, reason }));
}
