import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { sql, type Kysely } from "kysely";
import { AuditDecision, AuditEventSchema, type AuditEvent } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { createBatcher } from "@planton/db";
import { Violations } from "@planton/server";
import { AUDIT_KIND_FAMILIES, AUDIT_KINDS } from "./audit-kinds.js";
import type { AuditRow, AuthzDatabase } from "./schema.js";

/**
 * One audit record: a resolve or a change. Identifiers, names and a summary
 * of what changed, never a credential or any other secret value.
 */
export interface AuditRecord {
  /** The record's id: a new UUID when absent; a registry event's id for the change it reports. */
  readonly id?: string;
  /** When it happened; now when absent. */
  readonly time?: Date;
  readonly orgId: string;
  /** Token subject of whoever acted. */
  readonly actor: string;
  /** See audit-kinds.ts. */
  readonly kind: string;
  /** The request id of the RPC that caused it; "" when none. */
  readonly requestId?: string;
  readonly deploymentId?: string;
  readonly environment?: string;
  readonly provider?: number;
  readonly connectionId?: string;
  readonly credentialVersion?: number;
  /** Resolves only. */
  readonly decision?: AuditDecision;
  readonly reason?: string;
  /** The id of what a change changed (connection, runner, setup). */
  readonly target?: string;
  /** What changed, without values that are secret. */
  readonly summary?: string;
  /** With {@link AuditDecision.ERROR}: the code name, e.g. "UNAVAILABLE". */
  readonly errorCode?: string;
}

/** Filters of {@link AuditLog.list} (the fields of ListAuditEventsRequest). */
export interface AuditFilter {
  readonly deploymentId: string;
  readonly environment: string;
  readonly connectionId: string;
  readonly decision: AuditDecision;
  readonly actor?: string;
  readonly kind?: string;
  readonly startTime?: Timestamp | undefined;
  readonly endTime?: Timestamp | undefined;
  readonly pageSize: number;
  readonly pageToken: string;
}

/**
 * AuditLog records every resolve and every change. `write` is the one way
 * in; it throws when the record cannot be stored, and the caller fails with
 * it (a resolve hands nothing out unrecorded; a change rolls back, or its
 * event is redelivered).
 */
export interface AuditLog {
  /**
   * Stores `record`, in `executor` when given (the transaction of the change
   * it records). A record id holds one record: writing an id again does
   * nothing (a redelivered event), except that an ALLOWED resolve becomes
   * ERROR when the answer could not be sent after all (the one correction an
   * audit record ever gets).
   */
  write(record: AuditRecord, executor?: Kysely<AuthzDatabase>): Promise<void>;
  /** One page of the organization's records, newest first. */
  list(orgId: string, filter: AuditFilter): Promise<{ events: AuditEvent[]; nextPageToken: string }>;
}

// Bounds of what a record stores, whatever a caller sent.
const MAX_TEXT = 128;
const MAX_SUMMARY = 2000;

/** Bounds of the audit group commit (see {@link createAuditLog}). */
export interface AuditBatching {
  /** Most records in one INSERT. */
  readonly maxBatch: number;
  /** Most INSERTs of batched records running at once. */
  readonly maxInFlight: number;
  /** Under load, how long a batch waits for more records (ms). */
  readonly lingerMs: number;
}

/** The defaults: up to 256 records per statement, two statements at once (of a pool of ten). */
export const DEFAULT_AUDIT_BATCHING: AuditBatching = { maxBatch: 256, maxInFlight: 1, lingerMs: 1 };

/**
 * Creates the {@link AuditLog} over `authz.audit_events`.
 *
 * Records written without an executor (every resolve) are group-committed:
 * concurrent writes go to PostgreSQL as one multi-row INSERT (see
 * createBatcher in @planton/db), and each `write` settles only when the
 * statement holding its record has committed, or fails with it; an idle
 * process sends each record at once. Records written in a change's
 * transaction go in that transaction, alone.
 */
export function createAuditLog(db: Kysely<AuthzDatabase>, batching: AuditBatching = DEFAULT_AUDIT_BATCHING): AuditLog {
  const insert = (rows: readonly AuditRow[], executor: Kysely<AuthzDatabase>) =>
    executor
      .insertInto("audit_events")
      .values(rows)
      .onConflict((oc) =>
        oc
          .column("id")
          .doUpdateSet((eb) => ({ decision: eb.ref("excluded.decision"), error_code: eb.ref("excluded.error_code"), reason: eb.ref("excluded.reason") }))
          .where("audit_events.decision", "=", AuditDecision.ALLOWED)
          .where(sql.ref("excluded.decision"), "=", AuditDecision.ERROR),
      )
      .execute();
  const batcher = createBatcher<AuditRow, void>({
    ...batching,
    async run(rows) {
      // ON CONFLICT cannot touch one row twice in a statement: a batch that
      // holds an id twice (a correction next to its record; the resolver
      // never queues both at once) goes one record at a time, in order.
      if (new Set(rows.map((r) => r.id)).size === rows.length) await insert(rows, db);
      else for (const row of rows) await insert([row], db);
      return rows.map(() => undefined);
    },
  });
  return {
    async write(record, executor) {
      const row = toRow(record);
      if (executor === undefined) await batcher.add(row);
      else await insert([row], executor);
    },
    async list(orgId, filter) {
      const kind = filter.kind ?? "";
      const actor = filter.actor ?? "";
      const start = filter.startTime ? timestampDate(filter.startTime) : undefined;
      const end = filter.endTime ? timestampDate(filter.endTime) : undefined;
      const validTime = (t: Date | undefined) => t === undefined || Number.isFinite(t.getTime());
      new Violations()
        .check(filter.decision === 0 || AuditDecision[filter.decision] !== undefined, "decision", "ENUM", "must be ALLOWED, DENIED, ERROR or unset")
        .check(
          kind === "" || isKnownKind(kind),
          "kind",
          "ENUM",
          `must be one of ${AUDIT_KINDS.join(", ")}, or a family such as connection.* (${AUDIT_KIND_FAMILIES.join(", ")})`,
        )
        .check(actor.length <= 256, "actor", "MAX_LENGTH", "must be at most 256 characters")
        .check(validTime(start), "start_time", "RANGE", "must be a valid timestamp")
        .check(validTime(end), "end_time", "RANGE", "must be a valid timestamp")
        .check(start === undefined || end === undefined || !validTime(start) || !validTime(end) || start < end, "end_time", "RANGE", "must be after start_time")
        .throwIfAny();
      const limit = filter.pageSize === 0 ? 50 : Math.min(filter.pageSize, 100);
      let query = db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId);
      if (filter.deploymentId !== "") query = query.where("deployment_id", "=", filter.deploymentId);
      if (filter.environment !== "") query = query.where("environment", "=", filter.environment);
      if (filter.connectionId !== "") query = query.where("connection_id", "=", filter.connectionId);
      if (filter.decision !== 0) query = query.where("decision", "=", filter.decision);
      if (actor !== "") query = query.where("actor", "=", actor);
      if (kind.endsWith(".*")) query = query.where("kind", "like", `${kind.slice(0, -1)}%`);
      else if (kind !== "") query = query.where("kind", "=", kind);
      if (start !== undefined) query = query.where("time", ">=", start);
      if (end !== undefined) query = query.where("time", "<", end);
      if (filter.pageToken !== "") {
        const cursor = decodeCursor(filter.pageToken);
        query = query.where(sql<boolean>`(time, id) < (${cursor.time}, ${cursor.id})`);
      }
      const rows = await query
        .orderBy("time", "desc")
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map(toEvent),
        nextPageToken: rows.length > limit && last ? Buffer.from(JSON.stringify({ t: last.time.toISOString(), i: last.id })).toString("base64url") : "",
      };
    },
  };
}

// A kind, or `<family>.*`; families hold only [a-z_], so LIKE needs no escaping.
function isKnownKind(kind: string): boolean {
  return AUDIT_KINDS.includes(kind) || (kind.endsWith(".*") && AUDIT_KIND_FAMILIES.includes(kind.slice(0, -2)));
}

function decodeCursor(token: string): { time: Date; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { t: string; i: string };
    const time = new Date(parsed.t);
    if (typeof parsed.i !== "string" || !/^[A-Za-z0-9_.:-]{1,128}$/.test(parsed.i) || Number.isNaN(time.getTime())) throw new Error("bad");
    return { time, id: parsed.i };
  } catch {
    new Violations().check(false, "page_token", "FORMAT", "is not a token from a previous ListAuditEvents response").throwIfAny();
    throw new Error("unreachable");
  }
}

function toRow(record: AuditRecord): AuditRow {
  return {
    id: record.id ?? randomUUID(),
    org_id: record.orgId,
    time: record.time ?? new Date(),
    actor: record.actor.slice(0, 256),
    kind: record.kind,
    request_id: (record.requestId ?? "").slice(0, MAX_TEXT),
    deployment_id: (record.deploymentId ?? "").slice(0, MAX_TEXT),
    environment: (record.environment ?? "").slice(0, MAX_TEXT),
    provider: record.provider ?? 0,
    connection_id: record.connectionId ?? "",
    credential_version: record.credentialVersion ?? 0,
    decision: record.decision ?? AuditDecision.UNSPECIFIED,
    reason: (record.reason ?? "").slice(0, MAX_SUMMARY),
    target: record.target ?? "",
    summary: (record.summary ?? "").slice(0, MAX_SUMMARY),
    error_code: record.errorCode ?? "",
  };
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
    kind: row.kind,
    requestId: row.request_id,
    target: row.target,
    summary: row.summary,
    errorCode: row.error_code,
  });
}
