import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { AuditDecision } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { RESOLVE_KIND } from "./audit-kinds.js";
import type { AuditLog, AuditRecord } from "./audit-log.js";
import { withAuditMetrics } from "./audit-metrics.js";

function fakeAudit(): AuditLog & { failing: boolean; written: AuditRecord[] } {
  const audit = {
    failing: false,
    written: [] as AuditRecord[],
    async write(record: AuditRecord) {
      if (audit.failing) throw new Error("database down");
      audit.written.push(record);
    },
    list: async () => ({ events: [], nextPageToken: "" }),
  };
  return audit;
}

const resolve = (decision: AuditDecision, errorCode?: string): AuditRecord => ({
  kind: RESOLVE_KIND,
  orgId: "org-marker-9c2",
  actor: "user-marker-9c2",
  deploymentId: "deploy-marker-9c2",
  connectionId: "conn-marker-9c2",
  decision,
  ...(errorCode !== undefined ? { errorCode } : {}),
});

describe("audit metrics", () => {
  it("counts resolves by decision and error code (an ALLOWED only once written) and times every write", async () => {
    const registry = new Registry();
    const inner = fakeAudit();
    const audit = withAuditMetrics(inner, registry);
    await audit.write(resolve(AuditDecision.ALLOWED));
    await audit.write(resolve(AuditDecision.DENIED));
    await audit.write(resolve(AuditDecision.ERROR, "UNAVAILABLE"));
    await audit.write(resolve(AuditDecision.ERROR, "free text that is no code"));
    await audit.write({ kind: "connection.created", orgId: "org-marker-9c2", actor: "a" });
    inner.failing = true;
    // Not written: the resolve fails, and its ERROR record is what counts.
    await expect(audit.write(resolve(AuditDecision.ALLOWED))).rejects.toThrow("database down");
    await expect(audit.write(resolve(AuditDecision.ERROR, "UNAVAILABLE"))).rejects.toThrow("database down");

    const text = await registry.metrics();
    expect(text).toContain('planton_authz_resolve_decisions_total{decision="ALLOWED",error_code=""} 1');
    expect(text).toContain('planton_authz_resolve_decisions_total{decision="DENIED",error_code=""} 1');
    expect(text).toContain('planton_authz_resolve_decisions_total{decision="ERROR",error_code="UNAVAILABLE"} 2');
    expect(text).toContain('planton_authz_resolve_decisions_total{decision="ERROR",error_code="OTHER"} 1');
    expect(text).toContain('planton_authz_audit_write_seconds_count{outcome="ok"} 5');
    expect(text).toContain('planton_authz_audit_write_seconds_count{outcome="error"} 2');
    expect(text).not.toContain("marker-9c2");
    expect(text).not.toContain("free text");
  });
});
