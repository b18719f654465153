import { CapabilityCheckResult } from "@planton/proto/planton/connect/v1/connection_pb";
import { describe, expect, it } from "vitest";
import { permissionFields } from "./permission-fields.js";

describe("permissionFields", () => {
  it("maps a verified result's report to capability_checks and warnings", () => {
    const fields = permissionFields({
      kind: "verified",
      identity: "x",
      permissions: {
        capabilities: [
          { capability: "EKS", enabled: true, outcome: "granted", missingActions: [], checkedActionCount: 9, reason: "" },
          { capability: "S3_STORAGE", enabled: false, outcome: "missing", missingActions: ["s3:DeleteBucket"], checkedActionCount: 10, reason: "" },
          { capability: "KMS", enabled: true, outcome: "not_checkable", missingActions: [], checkedActionCount: 0, reason: "throttled" },
        ],
        warnings: [{ code: "PERMISSIONS_NOT_CHECKABLE", capability: "", message: "m", fix: "f" }],
      },
    });
    expect(fields.capabilityChecks.map((c) => [c.capability, c.enabled, c.result, c.missingActions, c.checkedActionCount, c.reason])).toEqual([
      ["EKS", true, CapabilityCheckResult.GRANTED, [], 9, ""],
      ["S3_STORAGE", false, CapabilityCheckResult.MISSING, ["s3:DeleteBucket"], 10, ""],
      ["KMS", true, CapabilityCheckResult.NOT_CHECKABLE, [], 0, "throttled"],
    ]);
    expect(fields.warnings.map((w) => [w.code, w.capability, w.message, w.fix])).toEqual([["PERMISSIONS_NOT_CHECKABLE", "", "m", "f"]]);
  });

  it("is empty for a failure and for a verified result without a report", () => {
    expect(permissionFields({ kind: "failed", reason: "INVALID_CREDENTIALS", message: "m" })).toEqual({ capabilityChecks: [], warnings: [] });
    expect(permissionFields({ kind: "verified", identity: "x" })).toEqual({ capabilityChecks: [], warnings: [] });
  });
});
