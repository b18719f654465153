import { fromBinary } from "@bufbuild/protobuf";
import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import { EventSchema, type Event } from "@planton/proto/planton/connect/v1/events_pb";
import { isRegistryChangeKind } from "./audit-kinds.js";
import type { AuditLog } from "./audit-log.js";
import { changeRecordOf } from "./change-records.js";
import type { AuthzDatabase } from "./schema.js";

/**
 * Subject patterns authz consumes: every registry event, in one subscription
 * so that events of one connection are applied in order. Kinds authz has no
 * use for are ignored.
 */
export const CONSUMED_SUBJECTS = ["connect.>"] as const;

/**
 * applyConnectionEvent records a registry change in the audit log and keeps
 * authz in step with the registry, in one transaction when it changes more
 * than the audit log. Idempotent, so a
 * redelivered event does no harm (the audit record's id is the event id):
 * - every change (see REGISTRY_CHANGE_KINDS): one audit record;
 * - `connection.rotated`, and `aws_trust.completed` on a reconnect: the
 *   previous version is retired (the retention job destroys it once no pin
 *   holds it);
 * - `connection.deleted`: the connection's authorizations, defaults, pins and
 *   retired versions go (the registry already shredded its versions).
 * Returns the connection the event was about (the caller drops it from its
 * caches), or undefined for an event authz ignores.
 */
export async function applyConnectionEvent(
  db: Kysely<AuthzDatabase>,
  audit: AuditLog,
  data: Uint8Array,
  logger: Logger,
): Promise<{ orgId: string; connectionId: string } | undefined> {
  const event = fromBinary(EventSchema, data);
  const connectionId = event.payload.case === "connection" || event.payload.case === "awsTrust" ? event.payload.value.connectionId : "";
  const orgId = event.orgId;
  const record = changeRecordOf(event);
  // Every event authz acts on is a change; the rest (e.g. connection.reverify) are ignored.
  if (!isRegistryChangeKind(event.kind)) return undefined;
  const retiredAt = event.occurTime ? new Date(Number(event.occurTime.seconds) * 1000) : new Date();
  if (!changesAuthzState(event)) {
    // Most events (created, updated, verified, ...) are an audit record and
    // nothing else: one statement (group-committed with concurrent records),
    // not BEGIN, INSERT, COMMIT.
    if (record !== undefined) await audit.write(record);
    return connectionId === "" ? undefined : { orgId, connectionId };
  }
  let deleted: string | undefined;
  await db.transaction().execute(async (trx) => {
    if (record !== undefined) await audit.write(record, trx);
    const retire = async (connectionId: string, version: number) => {
      await trx
        .insertInto("retired_versions")
        .values({ org_id: orgId, connection_id: connectionId, version, retired_at: retiredAt })
        .onConflict((oc) => oc.columns(["org_id", "connection_id", "version"]).doNothing())
        .execute();
    };
    if (event.payload.case === "awsTrust") {
      if (event.kind === "aws_trust.completed" && event.payload.value.previousCredentialVersion > 0) {
        await retire(event.payload.value.connectionId, event.payload.value.previousCredentialVersion);
      }
      return;
    }
    if (event.payload.case !== "connection") return;
    const change = event.payload.value;
    if (event.kind === "connection.rotated" && change.previousCredentialVersion > 0) {
      await retire(change.connectionId, change.previousCredentialVersion);
    } else if (event.kind === "connection.deleted") {
      for (const table of ["authorizations", "default_connections", "deployment_pins", "retired_versions"] as const) {
        await trx.deleteFrom(table).where("org_id", "=", orgId).where("connection_id", "=", change.connectionId).execute();
      }
      deleted = change.connectionId;
    }
  });
  if (deleted !== undefined) logger.info({ org_id: orgId, connection_id: deleted }, "authorizations of deleted connection removed");
  return connectionId === "" ? undefined : { orgId, connectionId };
}

// Whether the event changes authz's own tables beside the audit log: a
// version to retire (a rotation, a trust reconnect) or a deleted connection.
function changesAuthzState(event: Event): boolean {
  switch (event.payload.case) {
    case "awsTrust":
      return event.kind === "aws_trust.completed" && event.payload.value.previousCredentialVersion > 0;
    case "connection":
      return (event.kind === "connection.rotated" && event.payload.value.previousCredentialVersion > 0) || event.kind === "connection.deleted";
    default:
      return false;
  }
}
