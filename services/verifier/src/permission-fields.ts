import { create } from "@bufbuild/protobuf";
import {
  CapabilityCheckResult,
  CapabilityCheckSchema,
  VerificationWarningSchema,
  type CapabilityCheck,
  type VerificationWarning,
} from "@planton/proto/planton/connect/v1/connection_pb";
import type { CheckResult } from "./checks/provider-check.js";
import type { CapabilityOutcome } from "./permissions/permission-report.js";

const RESULTS: Readonly<Record<CapabilityOutcome, CapabilityCheckResult>> = {
  granted: CapabilityCheckResult.GRANTED,
  missing: CapabilityCheckResult.MISSING,
  not_checkable: CapabilityCheckResult.NOT_CHECKABLE,
};

/**
 * permissionFields maps a check's permission report to the Verification's
 * `capability_checks` and `warnings`; empty for a result without one (a
 * failure, a provider with no permission check, or the check switched off).
 */
export function permissionFields(result: CheckResult): { capabilityChecks: CapabilityCheck[]; warnings: VerificationWarning[] } {
  const report = result.kind === "verified" ? result.permissions : undefined;
  if (report === undefined) return { capabilityChecks: [], warnings: [] };
  return {
    capabilityChecks: report.capabilities.map((v) =>
      create(CapabilityCheckSchema, {
        capability: v.capability,
        enabled: v.enabled,
        result: RESULTS[v.outcome],
        missingActions: [...v.missingActions],
        checkedActionCount: v.checkedActionCount,
        reason: v.reason,
      }),
    ),
    warnings: report.warnings.map((w) => create(VerificationWarningSchema, { code: w.code, capability: w.capability, message: w.message, fix: w.fix })),
  };
}
