import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventEnvelope } from "@planton/events";
import { EventSchema, type AwsTrustCompleted, type ConnectionChanged, type ConnectionVerified, type RunnerChanged } from "@planton/proto/planton/connect/v1/events_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AwsTrustCompletedSchema, ConnectionChangedSchema, ConnectionVerifiedSchema, RunnerChangedSchema } from "@planton/proto/planton/connect/v1/events_pb";

/** Kinds of connection events (subject `connect.<kind>`). */
export type ConnectionEventKind = "connection.created" | "connection.updated" | "connection.rotated" | "connection.deleted" | "connection.reverify";
/** verifiedEvent builds the envelope of connection.verified. */
export function verifiedEvent(actor: EventActor, payload: MessageInitShape<typeof ConnectionVerifiedSchema>): EventEnvelope {
  const event = create(EventSchema, {
    id: randomUUID(),
    kind: "connection.verified",
    occurTime: timestampFromDate(new Date()),
    orgId: actor.orgId,
    actor: actor.subject,
    payload: { case: "verified", value: payload as ConnectionVerified },
  });
  return { id: event.id, subject: "connect.connection.verified", data: toBinary(EventSchema, event), orderingKey: payload.connectionId ?? "" };
}

/** Kinds of runner events. */
export type RunnerEventKind = "runner.registered" | "runner.deleted";

/** Who caused an event. */
export interface EventActor {
  readonly orgId: string;
  readonly subject: string;
}

/**
 * connectionEvent builds the envelope of a connection change: ids and
 * metadata only (events.proto), ordered per connection.
 */
export function connectionEvent(
  kind: ConnectionEventKind,
  actor: EventActor,
  payload: MessageInitShape<typeof ConnectionChangedSchema>,
): EventEnvelope {
  const event = create(EventSchema, {
    id: randomUUID(),
    kind,
    occurTime: timestampFromDate(new Date()),
    orgId: actor.orgId,
    actor: actor.subject,
    payload: { case: "connection", value: payload as ConnectionChanged },
  });
  return { id: event.id, subject: `connect.${kind}`, data: toBinary(EventSchema, event), orderingKey: payload.connectionId ?? "" };
}

/** runnerEvent builds the envelope of a runner change. */
export function runnerEvent(kind: RunnerEventKind, actor: EventActor, payload: MessageInitShape<typeof RunnerChangedSchema>): EventEnvelope {
  const event = create(EventSchema, {
    id: randomUUID(),
    kind,
    occurTime: timestampFromDate(new Date()),
    orgId: actor.orgId,
    actor: actor.subject,
    payload: { case: "runner", value: payload as RunnerChanged },
  });
  return { id: event.id, subject: `connect.${kind}`, data: toBinary(EventSchema, event), orderingKey: payload.runnerId ?? "" };
}

/**
 * trustCompletedEvent builds the envelope of aws_trust.completed (subject
 * `connect.aws_trust.completed`): the role ARN and versions, never the
 * external id. Ordered with the connection's other events.
 */
export function trustCompletedEvent(actor: EventActor, payload: MessageInitShape<typeof AwsTrustCompletedSchema>): EventEnvelope {
  const event = create(EventSchema, {
    id: randomUUID(),
    kind: "aws_trust.completed",
    occurTime: timestampFromDate(new Date()),
    orgId: actor.orgId,
    actor: actor.subject,
    payload: { case: "awsTrust", value: payload as AwsTrustCompleted },
  });
  return { id: event.id, subject: "connect.aws_trust.completed", data: toBinary(EventSchema, event), orderingKey: payload.connectionId ?? "" };
}
