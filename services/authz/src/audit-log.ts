import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { sql, type Kysely } from "kysely";
import { AuditDecision, AuditEventSchema, type AuditEvent } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Violations } from "@planton/server";
import type { AuditRow, AuthzDatabase } from "./schema.js";

/** One resolve's record: identifiers and the decision, never a credential. */
export interface AuditRecord {
  readonly orgId: string;
  readonly actor: string;
  readonly deploymentId: string;
  readonly environment: string;
  readonly provider: number;
  readonly connectionId: string;
  readonly credentialVersion: number;
  readonly decision: AuditDecision;
  readonly reason: string;
}

/** Filters of {@link AuditLog.list}. */
export interface AuditFilter {
  readonly deploymentId: string;
  readonly environment: string;
  readonly connectionId: string;
  readonly decision: AuditDecision;
  readonly pageSize: number;
  readonly pageToken: string;
}

/**
 * AuditLog records every resolve. `write` throws when the record cannot be
 * stored: the resolve must then fail, so nothing is handed out unrecorded.
 */
export interface AuditLog {
  write(record: AuditRecord): Promise<void>;
  list(orgId: string, filter: AuditFilter): Promise<{ events: AuditEvent[]; nextPageToken: string }>;
}

/** Creates the {@link AuditLog} over `authz.audit_events`. */
export function createAuditLog(db: Kysely<AuthzDatabase>): AuditLog {
  return {
    async write(record) {
      await db
        .insertInto("audit_events")
        .values({
          id: randomUUID(),
          org_id: record.orgId,
          time: new Date(),
          actor: record.actor,
          deployment_id: record.deploymentId,
          environment: record.environment,
          provider: record.provider,
          connection_id: record.connectionId,
          credential_version: record.credentialVersion,
          decision: record.decision,
          reason: record.reason,
        })
        .execute();
    },
    async list(orgId, filter) {
      new Violations()
        .check(filter.decision === 0 || AuditDecision[filter.decision] !== undefined, "decision", "ENUM", "must be ALLOWED, DENIED or unset")
        .throwIfAny();
      const limit = filter.pageSize === 0 ? 50 : Math.min(filter.pageSize, 100);
      let query = db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId);
      if (filter.deploymentId !== "") query = query.where("deployment_id", "=", filter.deploymentId);
      if (filter.environment !== "") query = query.where("environment", "=", filter.environment);
      if (filter.connectionId !== "") query = query.where("connection_id", "=", filter.connectionId);
      if (filter.decision !== 0) query = query.where("decision", "=", filter.decision);
      if (filter.pageToken !== "") {
        const cursor = decodeCursor(filter.pageToken);
        query = query.where(sql<boolean>`(time, id) < (${cursor.time}, ${cursor.id})`);
      }
      const rows = await query.orderBy("time", "desc").orderBy("id", "desc").limit(limit + 1).execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map(toEvent),
        nextPageToken: rows.length > limit && last ? Buffer.from(JSON.stringify({ t: last.time.toISOString(), i: last.id })).toString("base64url") : "",
      };
    },
  };
}

function decodeCursor(token: string): { time: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { t: string; i: string };
    const time = new Date(parsed.t);
    if (typeof parsed.i !== "string" || Number.isNaN(time.getTime())) throw new Error("bad");
    return { time, id: parsed.i };
  } catch {
    new Violations().check(false, "page_token", "FORMAT", "is not a token from a previous ListAuditEvents response").throwIfAny();
    throw new Error("unreachable");
  }
}

function toEvent(row: AuditRow): AuditEvent {
  return create(AuditEventSchema, {
    id: row.id,
    time: timestampFromDate(row.time),
    actor: row.actor,
    deploymentId: row.deployment_id,
    environment: row.environment,
    provider: row.provider,
    connectionId: row.connection_id,
    credentialVersion: row.credential_version,
    decision: row.decision,
    reason: row.reason,
  });
}
