import { AuditDecision } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Counter, Histogram, type Registry } from "prom-client";
import { RESOLVE_KIND } from "./audit-kinds.js";
import type { AuditLog } from "./audit-log.js";

// Seconds: one INSERT, a few milliseconds; a slow database shows in the upper buckets.
const WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// Error codes are gRPC code names (codeName); anything else is reported as OTHER.
const ERROR_CODE = /^[A-Z_]{0,24}$/;

/**
 * withAuditMetrics measures `audit`: every write's duration into
 * `planton_authz_audit_write_seconds{outcome}` (ok, error), and every
 * resolve's audit record into `planton_authz_resolve_decisions_total{decision,
 * error_code}` (decision ALLOWED, DENIED or ERROR; error_code the gRPC code
 * name of an ERROR, empty otherwise). Every resolve writes exactly one such
 * record, so this counts resolves by how they ended (an ALLOWED once its
 * record is written, since a failed write turns the resolve into an ERROR);
 * an ALLOWED resolve whose caller went away right after the write is
 * corrected to ERROR and counted once more, as ERROR. Nothing of the record but those two fields is used as a label.
 */
export function withAuditMetrics(audit: AuditLog, registry: Registry): AuditLog {
  const writeSeconds = new Histogram({
    name: "planton_authz_audit_write_seconds",
    help: "Duration of audit record writes (including those inside a change's transaction), by outcome (ok, error).",
    labelNames: ["outcome"] as const,
    buckets: WRITE_BUCKETS,
    registers: [registry],
  });
  const decisions = new Counter({
    name: "planton_authz_resolve_decisions_total",
    help: "Credential resolves by decision (ALLOWED, DENIED, ERROR) and error code (gRPC code name of an ERROR).",
    labelNames: ["decision", "error_code"] as const,
    registers: [registry],
  });
  const ok = writeSeconds.labels("ok");
  const failed = writeSeconds.labels("error");
  const allowedChild = decisions.labels("ALLOWED", "");
  decisions.labels("DENIED", "");
  return {
    async write(record, executor) {
      const resolve = record.kind === RESOLVE_KIND;
      const allowed = record.decision === AuditDecision.ALLOWED;
      // A DENIED or ERROR resolve ended so whether or not its record could be
      // written; an ALLOWED one only once written (else it becomes an ERROR).
      if (resolve && !allowed) {
        const errorCode = record.errorCode ?? "";
        decisions.inc({
          decision: AuditDecision[record.decision ?? AuditDecision.UNSPECIFIED] ?? "UNSPECIFIED",
          error_code: ERROR_CODE.test(errorCode) ? errorCode : "OTHER",
        });
      }
      const started = performance.now();
      try {
        await audit.write(record, executor);
        ok.observe((performance.now() - started) / 1000);
      } catch (error) {
        failed.observe((performance.now() - started) / 1000);
        throw error;
      }
      if (resolve && allowed) allowedChild.inc();
    },
    list: (orgId, filter) => audit.list(orgId, filter),
  };
}
