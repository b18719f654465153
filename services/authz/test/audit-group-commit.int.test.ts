/**
 * The audit group commit against PostgreSQL: records written together go
 * in one INSERT, a write settles only once its row is committed, and a
 * failed INSERT fails every write in it, other organizations' included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { AuditDecision } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { captureLogs } from "@planton/testing";
import { createAuditLog } from "../src/audit-log.js";
import { startPlatform, type PlatformHarness } from "./support/platform-harness.js";

const logs = captureLogs();
let p: PlatformHarness;

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger });
});
afterAll(async () => {
  await p?.dispose();
});

const record = (orgId: string, i: number) => ({
  orgId,
  actor: "deployer",
  kind: "credentials.resolve",
  deploymentId: `gc-d${i}`,
  environment: "prod",
  decision: AuditDecision.ALLOWED,
  reason: "pinned",
});

const countOf = async (orgId: string) =>
  Number(
    (
      await p.authz.db
        .selectFrom("audit_events")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("org_id", "=", orgId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("audit group commit", () => {
  it("every write that resolved is committed (read on another connection), 100 concurrent in batches of at most 16", async () => {
    const audit = createAuditLog(p.authz.db, { maxBatch: 16, maxInFlight: 1, lingerMs: 0 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => audit.write(record("org-gc-ok", i))));
    // Read on another connection: resolved means committed.
    expect(await countOf("org-gc-ok")).toBe(100);
  });

  it("a failed INSERT fails every write in it, whatever organization; nothing of it is stored", async () => {
    const audit = createAuditLog(p.authz.db, { maxBatch: 256, maxInFlight: 1, lingerMs: 0 });
    await sql`alter table authz.audit_events add constraint audit_refuses_gc check (org_id <> 'org-gc-bad') not valid`.execute(p.authz.db);
    try {
      // Queued in one turn: one batch, one statement.
      const outcomes = await Promise.allSettled([
        audit.write(record("org-gc-bystander", 1)),
        audit.write(record("org-gc-bad", 2)),
        audit.write(record("org-gc-bystander", 3)),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(await countOf("org-gc-bystander")).toBe(0);
      // The next batch runs afresh.
      await audit.write(record("org-gc-bystander", 4));
      expect(await countOf("org-gc-bystander")).toBe(1);
    } finally {
      await sql`alter table authz.audit_events drop constraint audit_refuses_gc`.execute(p.authz.db);
    }
  });
});
