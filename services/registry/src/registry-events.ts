import { randomUUID } from "node:crypto";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventEnvelope } from "@planton/events";
import { EventSchema, type Event } from "@planton/proto/planton/connect/v1/events_pb";
import type {
  AwsTrustCompletedSchema,
  AwsTrustStartedSchema,
  ConnectionChangedSchema,
  ConnectionVerifiedSchema,
  RotationDueSchema,
  RunnerChangedSchema,
} from "@planton/proto/planton/connect/v1/events_pb";

/** Kinds of connection events (subject `connect.<kind>`). */
export type ConnectionEventKind = "connection.created" | "connection.updated" | "connection.rotated" | "connection.deleted" | "connection.reverify";

/** Kinds of runner events. */
export type RunnerEventKind = "runner.registered" | "runner.updated" | "runner.deleted";

/** Who caused an event: a caller (caller.ts), or a platform actor with no request. */
export interface EventActor {
  readonly orgId: string;
  readonly subject: string;
  /** The request id of the RPC that caused it (Event.request_id); absent: "". */
  readonly requestId?: string;
}

// Every registry event: a fresh id (also the Nats-Msg-Id), the time, who
// caused it and in which request, subject `connect.<kind>`, ordered per
// connection or runner. authz writes one audit record per event, keyed by
// the event id.
function envelope(kind: string, actor: EventActor, payload: MessageInitShape<typeof EventSchema>["payload"], orderingKey: string): EventEnvelope {
  const event: Event = create(EventSchema, {
    id: randomUUID(),
    kind,
    occurTime: timestampFromDate(new Date()),
    orgId: actor.orgId,
    actor: actor.subject,
    requestId: actor.requestId ?? "",
    ...(payload ? { payload } : {}),
  });
  return { id: event.id, subject: `connect.${kind}`, data: toBinary(EventSchema, event), orderingKey };
}

/** verifiedEvent builds the envelope of connection.verified. */
export function verifiedEvent(actor: EventActor, payload: MessageInitShape<typeof ConnectionVerifiedSchema>): EventEnvelope {
  return envelope("connection.verified", actor, { case: "verified", value: payload }, payload.connectionId ?? "");
}

/**
 * connectionEvent builds the envelope of a connection change: ids and
 * metadata only (events.proto), ordered per connection.
 */
export function connectionEvent(kind: ConnectionEventKind, actor: EventActor, payload: MessageInitShape<typeof ConnectionChangedSchema>): EventEnvelope {
  return envelope(kind, actor, { case: "connection", value: payload }, payload.connectionId ?? "");
}

/** runnerEvent builds the envelope of a runner change. */
export function runnerEvent(kind: RunnerEventKind, actor: EventActor, payload: MessageInitShape<typeof RunnerChangedSchema>): EventEnvelope {
  return envelope(kind, actor, { case: "runner", value: payload }, payload.runnerId ?? "");
}

/**
 * trustCompletedEvent builds the envelope of aws_trust.completed (subject
 * `connect.aws_trust.completed`): the role ARN and versions, never the
 * external id. Ordered with the connection's other events.
 */
export function trustCompletedEvent(actor: EventActor, payload: MessageInitShape<typeof AwsTrustCompletedSchema>): EventEnvelope {
  return envelope("aws_trust.completed", actor, { case: "awsTrust", value: payload }, payload.connectionId ?? "");
}

/**
 * trustStartedEvent builds the envelope of aws_trust.started (a setup for a
 * new connection or a reconnect): ids, account, region and capabilities,
 * never the external id. Ordered with the connection's other events.
 */
export function trustStartedEvent(actor: EventActor, payload: MessageInitShape<typeof AwsTrustStartedSchema>): EventEnvelope {
  return envelope("aws_trust.started", actor, { case: "awsTrustStarted", value: payload }, payload.connectionId ?? "");
}

/**
 * rotationDueEvent builds the envelope of connection.rotation_due (subject
 * `connect.connection.rotation_due`): a credential version passed an age or
 * expiry threshold. Ids and dates only; ordered with the connection's other events.
 */
export function rotationDueEvent(actor: EventActor, payload: MessageInitShape<typeof RotationDueSchema>): EventEnvelope {
  return envelope("connection.rotation_due", actor, { case: "rotationDue", value: payload }, payload.connectionId ?? "");
}
