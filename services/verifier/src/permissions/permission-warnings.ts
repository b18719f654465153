import type { CapabilityVerdict, PermissionFinding, PermissionReport } from "./permission-report.js";

/** Who was checked and how to fix what the check found, in the provider's words. */
export interface WarningWording {
  /** The principal, as a reader knows it: "role arn:aws:iam::…:role/x", "service account a@p.iam.gserviceaccount.com". */
  readonly principal: string;
  /**
   * Whether the user chose the capabilities (an AWS trust role): then each
   * enabled capability that is not usable gets its own warning. Without a
   * selection (inline keys, GCP, Azure) every family counts as enabled and
   * one warning lists the unusable ones, so a credential meant for a few
   * kinds of resource is not flagged ten times.
   */
  readonly selection: boolean;
  /** The fix for these capabilities' missing actions. */
  fix(unusable: readonly CapabilityVerdict[]): string;
}

/**
 * permissionReport builds the report of checked capabilities:
 * CAPABILITY_NOT_USABLE for enabled capabilities with outcome `missing`
 * (see {@link WarningWording.selection}); capabilities not enabled never
 * warn. Not-checkable capabilities give no warning here (see
 * {@link refusedReport}).
 */
export function permissionReport(verdicts: readonly CapabilityVerdict[], wording: WarningWording): PermissionReport {
  const unusable = verdicts.filter((v) => v.enabled && v.outcome === "missing");
  if (unusable.length === 0) return { capabilities: verdicts, warnings: [] };
  if (wording.selection) {
    return {
      capabilities: verdicts,
      warnings: unusable.map((v) => ({
        code: "CAPABILITY_NOT_USABLE",
        capability: v.capability,
        message: `${v.capability} is enabled for this connection, but the provider denies ${wording.principal} ${v.missingActions.length} of the ${v.checkedActionCount} actions checked for it (${v.missingActions.join(", ")}); deployments of it will fail.`,
        fix: wording.fix([v]),
      })),
    };
  }
  const finding: PermissionFinding = {
    code: "CAPABILITY_NOT_USABLE",
    capability: "",
    message:
      `The provider denies ${wording.principal} permissions needed for: ` +
      unusable.map((v) => `${v.capability} (${v.missingActions.length} of ${v.checkedActionCount} missing)`).join(", ") +
      ". Deployments of those kinds of resource will fail; the others are usable.",
    fix: wording.fix(unusable),
  };
  return { capabilities: verdicts, warnings: [finding] };
}

/**
 * refusedReport is the report when the provider refused the check itself
 * (the credential may not evaluate its own permissions): every capability
 * `not_checkable` with `verdicts`' reason, and one PERMISSIONS_NOT_CHECKABLE
 * warning whose fix is `fix`. Nothing is called missing: an unknown is never
 * reported as a failure.
 */
export function refusedReport(verdicts: readonly CapabilityVerdict[], message: string, fix: string): PermissionReport {
  return { capabilities: verdicts, warnings: [{ code: "PERMISSIONS_NOT_CHECKABLE", capability: "", message, fix }] };
}
